"""Credit records (信用记录), the explainable score (信用分) and its history."""
