"""`{% claim_attachments claim %}`: a claim's attachments on its page (list, download, and
for the claimant while the claim can be corrected: upload and removal)."""

from django import template

register = template.Library()


@register.inclusion_tag("subsidy/_attachments.html", takes_context=True)
def claim_attachments(context, claim) -> dict:
    from jineng.subsidy.views_applications import attachment_context

    request = context["request"]
    return {**attachment_context(request.user, claim), "csrf_token": context.get("csrf_token")}
