"""The shop's outgoing e-mail: SMTP settings, sending, and the log of every message."""
