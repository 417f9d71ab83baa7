from jineng.assessment.views import (
    evaluator_codes,
    issuance,
    outside,
    records,
    results,
    signing,
    sittings,
)

app_name = "assessment"

urlpatterns = (sittings.urlpatterns + results.urlpatterns + issuance.urlpatterns
               + signing.urlpatterns + outside.urlpatterns + records.urlpatterns
               + evaluator_codes.urlpatterns)
