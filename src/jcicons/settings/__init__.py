"""Shop settings and feature toggles stored in the database."""
