"""Evidence (证明材料) for repair requests and objections: uploaded files, sniffed and bounded."""
