from jineng.demand.views import demand_lists, forecasts, matching, wages, wishes

app_name = "demand"

urlpatterns = (wishes.urlpatterns + demand_lists.urlpatterns + forecasts.urlpatterns
               + matching.urlpatterns + wages.urlpatterns)
