app_name = "waves"
urlpatterns: list[object] = []
