"""The provider registry that lets a lower app ask a higher one (core.hooks)."""

from jineng.core.hooks import Providers


def test_providers_answer_in_registration_order_and_re_registering_replaces():
    hook: Providers = Providers("test.hook")
    assert hook.call(1) == [] and hook.first(1, default="none") == "none"
    hook.register("a", lambda x: x + 1)
    hook.register("b", lambda x: None)
    hook.register("a", lambda x: x + 10)  # ready() run twice must not call twice
    assert len(hook) == 2
    assert hook.call(1) == [("a", 11), ("b", None)]
    assert hook.first(1) == 11
    hook.unregister("a")
    assert hook.first(1, default=0) == 0
    assert [name for name, _fn in hook.items()] == ["b"]
