"""The shared library of the portal: it serves the apps and imports none of them."""
