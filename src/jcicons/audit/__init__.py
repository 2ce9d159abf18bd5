"""The audit trail of business changes and the security event log."""
