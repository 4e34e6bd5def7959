"""Credit commitments (信用承诺): published texts a resident signs with their passkey."""
