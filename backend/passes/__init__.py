"""The credit pass (信用通行证): signed certificates, device-signed presentations, QR text,
status lists and verification."""
