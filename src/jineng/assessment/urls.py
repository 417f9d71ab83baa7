from jineng.assessment.views import issuance, outside, records, results, signing, sittings

app_name = "assessment"

urlpatterns = (sittings.urlpatterns + results.urlpatterns + issuance.urlpatterns
               + signing.urlpatterns + outside.urlpatterns + records.urlpatterns)
