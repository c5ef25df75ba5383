"""Products and stock: what sells, what sells together, what will sell, and what to reorder."""
