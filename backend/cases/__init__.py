"""Cases across the due-process workflows: queues, deadlines, the public look-up, figures."""
