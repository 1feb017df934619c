"""No N+1: every list page or endpoint asks as many queries for 50 rows as for 1 (``test_lists``)."""
