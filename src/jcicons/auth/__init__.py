"""Signing in and out, server-side sessions, passwords and two-factor sign-in."""
