"""Joint incentive and punishment cases (联合激励/惩戒案例): every use of a list at a counter,
and the cases departments report to the credit office (向市信用办反馈报送)."""
