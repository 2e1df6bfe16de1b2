from shuangying.access import RestrictedQuerySet


class RuleQuerySet(RestrictedQuerySet):
    pass


class PassQuerySet(RestrictedQuerySet):
    pass


class PassCheckQuerySet(RestrictedQuerySet):
    # A check belongs where it happened: the gate's division.
    division_path_field = "place__division__path"
