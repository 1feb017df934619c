from django.urls import path

from cantine.http import forms, reads
from menus import views

urlpatterns = [
    path("", reads(views.menu_index), name="menu_index"),
    path("<int:pk>/", forms(views.calendar), name="menu_calendar"),
    path("<int:pk>/compliance/", reads(views.compliance_report), name="menu_compliance"),
    path("<int:pk>/scdl.csv", reads(views.scdl_export), name="menu_scdl_export"),
    path("<int:pk>/scdl-import/", forms(views.scdl_import), name="menu_scdl_import"),
    path("<int:pk>/week.pdf", reads(views.weekly_pdf), name="menu_weekly_pdf"),
    path("<int:pk>/copy-week/", views.copy_week, name="menu_copy_week"),
    path("<int:pk>/plan/", views.start_plan, name="menu_plan"),
    path("runs/<int:run_pk>/", reads(views.plan_status), name="menu_plan_status"),
    path("runs/<int:run_pk>/retry/", views.retry_plan, name="menu_plan_retry"),
    path(
        "runs/<int:run_pk>/conflicts/<int:index>/unlock/",
        views.release_conflict_locks,
        name="menu_release_locks",
    ),
    path("meals/<int:meal_pk>/close/", views.toggle_closed, name="menu_toggle_closed"),
    path(
        "meals/<int:meal_pk>/<str:component>/",
        reads(views.course_picker),
        name="menu_course_picker",
    ),
    path("meals/<int:meal_pk>/<str:component>/set/", views.set_course, name="menu_set_course"),
    path("meals/<int:meal_pk>/<str:component>/lock/", views.toggle_lock, name="menu_toggle_lock"),
]
