"""Pure rules of the accounts app (no Django): who may administer which accounts."""
