"""The check kinds, one module each, and the table that names them."""
