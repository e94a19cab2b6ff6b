app_name = "pupil"
urlpatterns: list[object] = []
