"""A user's own account: profile, password, sessions, two-factor sign-in."""
