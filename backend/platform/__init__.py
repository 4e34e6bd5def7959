"""Platform routes: health, OpenAPI, published keys, message catalogs and the PWA shell."""
