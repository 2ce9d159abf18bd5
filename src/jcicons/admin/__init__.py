"""ADMIN pages: settings and toggles, the audit trail, security events."""
