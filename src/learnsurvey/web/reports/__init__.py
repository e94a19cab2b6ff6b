"""The reports on the platform: read on the web, or made as PDF in the background."""
