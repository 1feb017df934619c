"""What every role gets on every route and method: the authorization matrix, as data.

One row per route name (``@satellite``: the same route with the satellite's id in the URL,
where the kitchen's staff are sent on to the kitchen and the satellite's staff may only read
what is served there). Each method the route accepts lists the status of each role, in the
order of ``tests.security.world.ROLES``:

    anonymous, cook, dietitian, manager, producer, other_canteen, satellite, other_producer

``login`` is a redirect to the login page. A method missing from a row must be refused to
everyone (405, or 403 / login when the role check comes first). The objects in URLs are the
kitchen's or the first producer's, so other canteens and producers get 404.

The admin site is staff-only as a whole (``test_admin_is_staff_only``).
"""

#            anon   cook  diet  mngr  prod othCa  sat  othPr
EXPECTED = {
    "home": {
        "GET": "login   200   200   200   200   200   200   200",
    },
    "healthz": {
        "GET": "  200   200   200   200   200   200   200   200",
    },
    "login": {
        "GET": "  200   200   200   200   200   200   200   200",
        "POST": "  200   200   200   200   200   200   200   200",
        "PUT": "  200   200   200   200   200   200   200   200",
    },
    "logout": {
        "POST": "login login login login login login login login",
    },
    "password_change": {
        "GET": "login   200   200   200   200   200   200   200",
        "POST": "login   200   200   200   200   200   200   200",
        "PUT": "login   200   200   200   200   200   200   200",
    },
    "password_change_done": {
        "GET": "login   200   200   200   200   200   200   200",
    },
    "password_reset": {
        "GET": "  200   200   200   200   200   200   200   200",
        "POST": "  200   200   200   200   200   200   200   200",
        "PUT": "  200   200   200   200   200   200   200   200",
    },
    "password_reset_done": {
        "GET": "  200   200   200   200   200   200   200   200",
    },
    "password_reset_confirm": {
        "GET": "  200   200   200   200   200   200   200   200",
        "POST": "  200   200   200   200   200   200   200   200",
        "PUT": "  200   200   200   200   200   200   200   200",
        "PATCH": "  200   200   200   200   200   200   200   200",
        "DELETE": "  200   200   200   200   200   200   200   200",
    },
    "password_reset_complete": {
        "GET": "  200   200   200   200   200   200   200   200",
    },
    "canteen_list": {
        "GET": "login   200   200   200   403   200   200   403",
    },
    "canteen_detail": {
        "GET": "login   200   200   200   403   404   404   403",
    },
    "canteen_detail@satellite": {
        "GET": "login   200   200   200   403   404   200   403",
    },
    "canteen_covers_edit": {
        "GET": "login   200   403   200   403   404   404   403",
        "POST": "login   200   403   200   403   404   404   403",
    },
    "canteen_covers_edit@satellite": {
        "GET": "login   200   403   200   403   404   200   403",
        "POST": "login   200   403   200   403   404   200   403",
    },
    "canteen_local_edit": {
        "GET": "login   403   403   200   403   404   403   403",
        "POST": "login   403   403   200   403   404   403   403",
    },
    "canteen_local_edit@satellite": {
        "GET": "login   403   403   200   403   404   403   403",
        "POST": "login   403   403   200   403   404   403   403",
    },
    "producer_directory": {
        "GET": "login   200   403   200   403   200   200   403",
    },
    "producer_profile": {
        "GET": "login   403   403   403   200   403   403   200",
        "POST": "login   403   403   403   200   403   403   200",
    },
    "producer_offers": {
        "GET": "login   403   403   403   200   403   403   200",
        "POST": "login   403   403   403   400   403   403   400",
    },
    "producer_offer_edit": {
        "POST": "login   403   403   403   302   403   403   404",
    },
    "purchase_ledger": {
        "GET": "login   200   403   200   403   200   200   403",
    },
    "purchase_export": {
        "GET": "login   200   403   200   403   200   200   403",
    },
    "purchase_import": {
        "GET": "login   403   403   200   403   200   403   403",
        "POST": "login   403   403   400   403   400   403   403",
    },
    "purchase_import_undo": {
        "POST": "login   403   403   302   403   404   403   403",
    },
    "purchase_shares": {
        "GET": "login   200   403   200   403   200   200   403",
    },
    "purchase_shares_forecast": {
        "GET": "login   200   403   200   403   200   200   403",
    },
    "purchase_report_pdf": {
        "GET": "login   200   403   200   403   200   200   403",
    },
    "purchase_macantine_send": {
        "GET": "login   403   403   200   403   200   403   403",
        "POST": "login   403   403   200   403   200   403   403",
    },
    "dish_list": {
        "GET": "login   200   200   403   403   200   200   403",
    },
    "dish_create": {
        "GET": "login   403   200   403   403   200   403   403",
        "POST": "login   403   400   403   403   400   403   403",
    },
    "dish_preview": {
        "POST": "login   403   200   403   403   200   200   403",
    },
    "dish_detail": {
        "GET": "login   200   200   403   403   404   200   403",
    },
    "dish_edit": {
        "GET": "login   403   200   403   403   404   404   403",
        "POST": "login   403   400   403   403   404   404   403",
    },
    "dish_override": {
        "GET": "login   403   200   403   403   404   404   403",
        "POST": "login   403   200   403   403   404   404   403",
    },
    "food_search": {
        "GET": "login   403   200   403   403   200   200   403",
    },
    "rule_set_list": {
        "GET": "login   200   200   403   403   200   200   403",
    },
    "rule_set_detail": {
        "GET": "login   200   200   403   403   404   200   403",
    },
    "rule_set_edit": {
        "GET": "login   403   200   403   403   404   403   403",
        "POST": "login   403   400   403   403   404   403   403",
    },
    "rule_set_copy": {
        "GET": "login   403   200   403   403   404   200   403",
        "POST": "login   403   302   403   403   404   400   403",
    },
    "rule_set_assign": {
        "POST": "login   403   302   403   403   404   302   403",
    },
    "rule_set_nutrients": {
        "GET": "login   200   200   403   403   404   200   403",
        "POST": "login   403   200   403   403   404   403   403",
    },
    "rule_set_history": {
        "GET": "login   200   200   403   403   404   200   403",
    },
    "menu_index": {
        "GET": "login   302   302   302   403   302   302   403",
    },
    "menu_calendar": {
        "GET": "login   200   200   200   403   404   200   403",
        "POST": "login   302   403   403   403   404   403   403",
    },
    "menu_calendar@satellite": {
        "GET": "login   302   302   302   403   404   302   403",
        "POST": "login   302   403   403   403   404   403   403",
    },
    "menu_compliance": {
        "GET": "login   200   200   200   403   404   200   403",
    },
    "menu_compliance@satellite": {
        "GET": "login   302   302   302   403   404   302   403",
    },
    "menu_scdl_export": {
        "GET": "login   200   200   200   403   404   200   403",
    },
    "menu_scdl_export@satellite": {
        "GET": "login   200   200   200   403   404   200   403",
    },
    "menu_scdl_import": {
        "GET": "login   200   403   403   403   404   403   403",
        "POST": "login   200   403   403   403   404   403   403",
    },
    "menu_scdl_import@satellite": {
        "GET": "login   200   403   403   403   404   403   403",
        "POST": "login   200   403   403   403   404   403   403",
    },
    "menu_weekly_pdf": {
        "GET": "login   200   200   200   403   404   200   403",
    },
    "menu_weekly_pdf@satellite": {
        "GET": "login   200   200   200   403   404   200   403",
    },
    "menu_copy_week": {
        "POST": "login   200   403   403   403   404   403   403",
    },
    "menu_copy_week@satellite": {
        "POST": "login   200   403   403   403   404   403   403",
    },
    "menu_plan": {
        "POST": "login   400   403   403   403   404   403   403",
    },
    "menu_plan@satellite": {
        "POST": "login   400   403   403   403   404   403   403",
    },
    "menu_plan_status": {
        "GET": "login   200   200   200   403   404   200   403",
    },
    "menu_plan_retry": {
        "POST": "login   200   403   403   403   404   403   403",
    },
    "menu_release_locks": {
        "POST": "login   200   403   403   403   404   403   403",
    },
    "menu_toggle_closed": {
        "POST": "login   200   403   403   403   404   403   403",
    },
    "menu_course_picker": {
        "GET": "login   200   403   403   403   404   403   403",
    },
    "menu_set_course": {
        "POST": "login   200   403   403   403   404   403   403",
    },
    "menu_toggle_lock": {
        "POST": "login   200   403   403   403   404   403   403",
    },
    "orders_portal": {
        "GET": "login   403   403   403   200   403   403   200",
    },
    "orders_portal_answer": {
        "POST": "login   403   403   403   302   403   403   404",
    },
    "orders_portal_confirm": {
        "POST": "login   403   403   403   302   403   403   404",
    },
    "orders_po_send": {
        "POST": "login   302   403   403   403   404   404   403",
    },
    "orders_po_receive": {
        "POST": "login   400   403   403   403   404   404   403",
    },
    "orders_po_pay": {
        "POST": "login   403   403   302   403   404   403   403",
    },
    "orders_po_reallocate": {
        "POST": "login   302   403   403   403   404   404   403",
    },
    "orders_repair_menus": {
        "POST": "login   302   403   403   403   404   404   403",
    },
    "orders_index": {
        "GET": "login   302   403   302   403   302   200   403",
    },
    "orders_needs": {
        "GET": "login   200   403   200   403   404   404   403",
    },
    "orders_needs@satellite": {
        "GET": "login   302   403   302   403   404   404   403",
    },
    "orders_compute_needs": {
        "POST": "login   302   403   403   403   404   404   403",
    },
    "orders_compute_needs@satellite": {
        "POST": "login   302   403   403   403   404   404   403",
    },
    "orders_allocate": {
        "POST": "login   200   403   403   403   404   404   403",
    },
    "orders_allocate@satellite": {
        "POST": "login   200   403   403   403   404   404   403",
    },
    "orders_lots": {
        "GET": "login   200   403   200   403   404   404   403",
        "POST": "login   302   403   302   403   404   404   403",
    },
    "orders_lots@satellite": {
        "GET": "login   200   403   200   403   404   404   403",
        "POST": "login   302   403   302   403   404   404   403",
    },
    "orders_purchase_orders": {
        "GET": "login   200   403   200   403   404   404   403",
    },
    "orders_purchase_orders@satellite": {
        "GET": "login   200   403   200   403   404   404   403",
    },
    "orders_adjust_need": {
        "POST": "login   200   403   403   403   404   404   403",
    },
    "orders_run": {
        "GET": "login   200   403   200   403   404   404   403",
    },
    "orders_run_status": {
        "GET": "login   200   403   200   403   404   404   403",
    },
    "orders_retry_run": {
        "POST": "login   200   403   403   403   404   404   403",
    },
    "orders_accept_run": {
        "GET": "login   200   403   403   403   404   404   403",
        "POST": "login   302   403   403   403   404   404   403",
    },
    "orders_po": {
        "GET": "login   200   403   200   403   404   404   403",
    },
    "orders_po_pdf": {
        "GET": "login   200   403   200   403   404   404   403",
    },
    "orders_po_csv": {
        "GET": "login   200   403   200   403   404   404   403",
    },
    "set_language": {
        "GET": "  302   302   302   302   302   302   302   302",
        "POST": "  302   302   302   302   302   302   302   302",
        "PUT": "  302   302   302   302   302   302   302   302",
        "PATCH": "  302   302   302   302   302   302   302   302",
        "DELETE": "  302   302   302   302   302   302   302   302",
    },
    "canteen-list": {
        "GET": "  403   200   200   200   403   200   200   403",
    },
    "canteen-detail": {
        "GET": "  403   200   200   200   403   404   404   403",
    },
    "canteen-detail@satellite": {
        "GET": "  403   200   200   200   403   404   200   403",
    },
    "producer-list": {
        "GET": "  403   200   403   200   200   200   200   200",
    },
    "producer-detail": {
        "GET": "  403   200   403   200   200   200   200   404",
    },
    "offer-list": {
        "GET": "  403   200   403   200   200   200   200   200",
        "POST": "  403   403   403   403   201   403   403   201",
    },
    "offer-detail": {
        "GET": "  403   200   403   200   200   200   200   404",
        "PUT": "  403   403   403   403   400   403   403   404",
        "PATCH": "  403   403   403   403   200   403   403   404",
        "DELETE": "  403   403   403   403   409   403   403   404",
    },
    "need-list": {
        "GET": "  403   200   403   200   403   200   200   403",
    },
    "need-detail": {
        "GET": "  403   200   403   200   403   404   404   403",
        "PATCH": "  403   200   403   403   403   404   404   403",
    },
    "allocationrun-list": {
        "GET": "  403   200   403   200   403   200   200   403",
        "POST": "  403   202   403   403   403   404   404   403",
    },
    "allocationrun-detail": {
        "GET": "  403   200   403   200   403   404   404   403",
    },
    "allocationrun-accept": {
        "POST": "  403   200   403   403   403   404   404   403",
    },
    "allocationrun-acceptance": {
        "GET": "  403   200   403   403   403   404   404   403",
    },
    "purchaseorder-list": {
        "GET": "  403   200   403   200   403   200   200   403",
    },
    "purchaseorder-detail": {
        "GET": "  403   200   403   200   403   404   404   403",
    },
    "purchaseorder-receive": {
        "POST": "  403   409   403   403   403   404   404   403",
    },
    "myorder-list": {
        "GET": "  403   403   403   403   200   403   403   200",
    },
    "myorder-detail": {
        "GET": "  403   403   403   403   200   403   403   404",
    },
    "myorder-answer": {
        "POST": "  403   403   403   403   200   403   403   404",
    },
    "purchase-list": {
        "GET": "  403   200   403   200   403   200   200   403",
        "POST": "  403   403   403   201   403   403   403   403",
    },
    "purchase-detail": {
        "GET": "  403   200   403   200   403   404   404   403",
        "PUT": "  403   403   403   400   403   404   403   403",
        "PATCH": "  403   403   403   200   403   404   403   403",
        "DELETE": "  403   403   403   204   403   404   403   403",
    },
    "purchase-shares-list": {
        "GET": "  403   400   403   400   403   400   400   403",
    },
    "food-list": {
        "GET": "  403   200   200   200   403   200   200   403",
    },
    "food-detail": {
        "GET": "  403   200   200   200   403   200   200   403",
    },
    "dish-list": {
        "GET": "  403   200   200   403   403   200   200   403",
        "POST": "  403   403   400   403   403   400   400   403",
    },
    "dish-detail": {
        "GET": "  403   200   200   403   403   404   200   403",
        "PUT": "  403   403   400   403   403   404   404   403",
        "PATCH": "  403   403   200   403   403   404   404   403",
        "DELETE": "  403   403   400   403   403   404   404   403",
    },
    "ruleset-list": {
        "GET": "  403   200   200   403   403   200   200   403",
    },
    "ruleset-detail": {
        "GET": "  403   200   200   403   403   404   200   403",
        "PUT": "  403   403   400   403   403   404   403   403",
        "PATCH": "  403   403   200   403   403   404   403   403",
    },
    "ruleset-copy": {
        "POST": "  403   403   201   403   403   404   400   403",
    },
    "meal-list": {
        "GET": "  403   200   200   200   403   200   200   403",
    },
    "meal-compliance": {
        "GET": "  403   400   400   400   403   400   400   403",
    },
    "meal-detail": {
        "GET": "  403   200   200   200   403   404   200   403",
    },
    "planrun-list": {
        "GET": "  403   200   200   200   403   200   200   403",
        "POST": "  403   409   403   403   403   404   403   403",
    },
    "planrun-detail": {
        "GET": "  403   200   200   200   403   404   200   403",
    },
    "api-root": {
        "GET": "  403   200   200   200   200   200   200   200",
    },
    "api_schema": {
        "GET": "  403   200   200   200   200   200   200   200",
    },
    "api_docs": {
        "GET": "  403   200   200   200   200   200   200   200",
    },
    # Consultations, awards and invoices (issue 19): the cook writes, the manager reads and
    # pays; any producer reads an open consultation and answers for itself; a producer reads
    # only the answer it takes part in (another's: 404) and invoices only its own orders.
    "consultation_index": {
        "GET": "login   302   403   302   403   302   200   403",
    },
    "consultation_list": {
        "GET": "login   200   403   200   403   404   404   403",
    },
    "consultation_list@satellite": {
        "GET": "login   302   403   302   403   404   404   403",
    },
    "consultation_from_lot": {
        "POST": "login   302   403   403   403   404   404   403",
    },
    "consultation_from_lot@satellite": {
        "POST": "login   302   403   403   403   404   404   403",
    },
    "consultation_detail": {
        "GET": "login   200   403   200   403   404   404   403",
        "POST": "login   200   403   403   403   404   404   403",
    },
    "consultation_publish": {
        "POST": "login   302   403   403   403   404   404   403",
    },
    "consultation_award": {
        "POST": "login   302   403   403   403   404   404   403",
    },
    "consultation_report": {
        "GET": "login   200   403   200   403   404   404   403",
    },
    "invoice_list": {
        "GET": "login   200   403   200   403   404   404   403",
    },
    "invoice_list@satellite": {
        "GET": "login   200   403   200   403   404   404   403",
    },
    "invoice_pay": {
        "POST": "login   403   403   302   403   404   403   403",
    },
    "invoice_pdf": {
        "GET": "login   200   403   200   200   404   404   404",
    },
    "portal_consultations": {
        "GET": "login   403   403   403   200   403   403   200",
    },
    "portal_answer": {
        "GET": "login   403   403   403   200   403   403   200",
        "POST": "login   403   403   403   302   403   403   302",
    },
    "portal_invoice": {
        "POST": "login   403   403   403   302   403   403   404",
    },
    "myconsultation-list": {
        "GET": "  403   403   403   403   200   403   403   200",
    },
    "myconsultation-detail": {
        "GET": "  403   403   403   403   200   403   403   200",
    },
    "myconsultation-answer": {
        "GET": "  403   403   403   403   200   403   403   404",
        "POST": "  403   403   403   403   200   403   403   200",
    },
}
