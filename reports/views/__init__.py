"""The pages of reports: ``dashboard`` (the dashboard and its downloads), ``lists`` (the
thuiszitterslijst and the reconciliation) and ``quarterly`` (the quarterly OOGO reports)."""
