"""Credit repair (信用修复): a resident applies, the recording department decides."""
