"""The 新八级工 skill-level ladder (人社部《关于健全完善新时代技能人才职业技能等级制度的意见
（试行）》, 人社部发〔2022〕14号): 学徒工, 初级工, 中级工, 高级工, 技师, 高级技师, 特级技师,
首席技师; the five national grades 五级–一级 run from 初级工 to 高级技师. 高技能人才 are
高级工 and above. How this was checked: docs/data-sources.md."""

SKILL_LEVELS = [
    # code, name, national grade, rank, high-skilled
    ("apprentice", "学徒工", "", 0, False),
    ("grade5", "初级工", "五级", 1, False),
    ("grade4", "中级工", "四级", 2, False),
    ("grade3", "高级工", "三级", 3, True),
    ("grade2", "技师", "二级", 4, True),
    ("grade1", "高级技师", "一级", 5, True),
    ("principal", "特级技师", "", 6, True),
    ("chief", "首席技师", "", 7, True),
]


def load_skill_levels(level_model) -> None:
    for code, name, grade, rank, high in SKILL_LEVELS:
        level_model.objects.update_or_create(
            code=code,
            defaults={"name": name, "national_grade": grade, "rank": rank,
                      "is_high_skilled": high},
        )
