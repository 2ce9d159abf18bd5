"""Demo data: a believable Philippine computer-and-phone shop.

`build.build_demo` makes the small shop through the real services;
`bulk.build_large_demo` makes a benchmark-sized one in bulk; `jcicons demo-data`
runs either. This module stays light: the `jcicons` command reads it at start.
"""

DEFAULT_SEED = 2026
LARGE_PRODUCTS = 50_000
LARGE_TICKETS = 30_000
