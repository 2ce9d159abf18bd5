"""Security building blocks: passwords, capabilities, headers, throttles, screening."""
