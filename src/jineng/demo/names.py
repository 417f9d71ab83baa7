"""Word lists for synthetic names, addresses and phone numbers. All of it is made up for the
demo: no list here describes a real person or a real organization. Weights are rough and
synthetic (common Han surnames plus surnames frequent among Guizhou's Miao, Buyi and Dong
peoples), chosen only so that names look ordinary."""

from __future__ import annotations

import random

# (surname, relative weight) — synthetic weights.
SURNAMES: tuple[tuple[str, int], ...] = (
    ("王", 70), ("李", 70), ("张", 65), ("刘", 55), ("陈", 50), ("杨", 60), ("黄", 30),
    ("赵", 25), ("吴", 40), ("周", 25), ("徐", 18), ("孙", 15), ("马", 15), ("朱", 14),
    ("胡", 16), ("郭", 12), ("何", 16), ("罗", 30), ("高", 11), ("林", 10), ("龙", 22),
    ("石", 18), ("潘", 16), ("韦", 14), ("田", 14), ("冉", 6), ("蒙", 6), ("宋", 10),
    ("谢", 10), ("唐", 11), ("许", 8), ("邓", 10), ("冯", 8), ("曾", 8), ("彭", 9),
    ("肖", 8), ("蔡", 6), ("袁", 8), ("熊", 8), ("余", 9), ("姚", 6), ("卢", 6), ("付", 6),
    ("雷", 7), ("欧", 5), ("安", 6), ("邹", 5), ("秦", 5), ("向", 6), ("陆", 5), ("顾", 3),
    ("母", 3), ("文", 5), ("令狐", 1), ("欧阳", 1),
)

MALE_GIVEN = (
    "伟", "强", "军", "勇", "杰", "涛", "明", "超", "刚", "平", "辉", "鹏", "华", "飞", "斌",
    "宇", "浩", "俊", "峰", "磊", "林", "波", "毅", "江", "兴", "文", "龙", "海", "成", "建",
    "国", "志", "祥", "德", "贵", "黔", "山", "荣", "松", "凯", "航", "阳", "旭", "晨", "昊",
)
FEMALE_GIVEN = (
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "丹", "萍", "红", "梅", "琳",
    "雪", "婷", "慧", "莉", "倩", "颖", "琴", "兰", "凤", "英", "秀", "春", "月", "欣", "悦",
    "佳", "怡", "蓉", "蕾", "菊", "翠", "妹", "瑶", "茜", "璐",
)
SHARED_GIVEN = ("小", "晓", "永", "正", "家", "金", "玉", "思", "子", "雨", "天", "世", "光")

# Chinese mobile number prefixes in ordinary use (three digits).
PHONE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153",
    "155", "156", "157", "158", "159", "166", "173", "177", "178", "180", "181", "182", "183",
    "185", "186", "187", "188", "189", "191", "198", "199",
)

STREETS = (
    "人民路", "中山路", "解放路", "建设路", "新华路", "延安路", "民族路", "文化路", "环城路",
    "滨河路", "北京路", "沙冲路", "宝山路", "遵义路", "长征路", "黔灵路", "育才路", "兴业路",
    "工业大道", "花溪大道", "教育路", "学府路", "经开大道", "园区路",
)

# Made-up place words for homes: residential compounds in towns, townships and villages in the
# countryside (none names a real place).
COMPOUNDS = (
    "阳光", "金桥", "幸福", "和谐", "锦绣", "滨江", "翠湖", "山水", "观山", "南湖", "新城",
    "桂花", "望城", "碧水", "兴隆", "安居",
)
PLACE_HEADS = ("大", "小", "上", "下", "新", "石", "龙", "高", "白", "马", "黄", "杨", "青",
               "水", "长", "平", "茶", "枫")
PLACE_TAILS = ("坪", "寨", "坝", "冲", "湾", "山", "沟", "田", "河", "岩", "坡", "场", "塘")

# Brand-like words for made-up organization names.
BRANDS = (
    "启航", "博远", "匠心", "鼎新", "华能", "金桥", "黔程", "筑梦", "立德", "众诚", "恒信",
    "远航", "创优", "明德", "育才", "新起点", "巧手", "蓝天", "聚力", "同心", "山水", "云岭",
    "乌江", "苗岭", "红枫", "百灵", "多彩", "腾飞", "宏图", "精工", "睿智", "康宁", "益民",
    "黔匠", "兴黔", "安居", "黔绣", "星辰", "诚信", "华夏",
)
SCHOOL_FIELDS = (
    "交通", "工业", "商贸", "建筑", "电子信息", "农业", "机电", "财经", "旅游", "化工", "能源",
    "卫生", "航空", "食品",
)
# Guizhou's ten industrial industries (十大工业产业) as enterprise sectors, each with a few
# words that make plausible enterprise names.
SECTORS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("基础能源", ("煤业", "能源开发")),
    ("清洁高效电力", ("电力", "新能源")),
    ("优质烟酒", ("酒业", "酿造")),
    ("新型建材", ("建材", "新材料")),
    ("现代化工", ("化工", "磷化工")),
    ("先进装备制造", ("装备制造", "机械", "汽车零部件")),
    ("基础材料", ("铝业", "锰业")),
    ("生态特色食品", ("食品", "茶业", "辣椒食品")),
    ("大数据电子信息", ("数据科技", "电子", "信息技术")),
    ("健康医药", ("制药", "医药", "康养")),
)

ETHNIC_NAMES = ("仡佬族", "土家族", "布依族", "苗族", "侗族", "彝族", "回族", "水族", "壮族")


def short_region_name(name: str) -> str:
    """`道真仡佬族苗族自治县` → `道真`, `南明区` → `南明`, `六枝特区` → `六枝`."""
    cut = min((name.find(e) for e in ETHNIC_NAMES if e in name), default=-1)
    if cut > 0:
        return name[:cut]
    for suffix in ("特区", "市", "区", "县", "州", "省"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


class NameMaker:
    """Draws person names from the weighted lists with one random stream."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.surnames = [s for s, _w in SURNAMES]
        total = 0
        self.cumulative = []
        for _s, w in SURNAMES:
            total += w
            self.cumulative.append(total)

    def person(self, gender: str) -> str:
        rng = self.rng
        surname = rng.choices(self.surnames, cum_weights=self.cumulative)[0]
        own = MALE_GIVEN if gender == "M" else FEMALE_GIVEN
        if rng.random() < 0.3:
            return surname + rng.choice(own)
        first = rng.choice(SHARED_GIVEN) if rng.random() < 0.3 else rng.choice(own)
        return surname + first + rng.choice(own)

    def phone(self) -> str:
        return self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(100_000_000):08d}"

    def address(self, region_name: str) -> str:
        return f"{region_name}{self.rng.choice(STREETS)}{self.rng.randint(1, 399)}号"

    def _place(self) -> str:
        return self.rng.choice(PLACE_HEADS) + self.rng.choice(PLACE_TAILS)

    def home_address(self, county_name: str, *, urban: bool) -> str:
        """A made-up residence address (常住地址) in the county: a flat in town
        ("南明区人民路12号3单元401室", "花溪区阳光小区5栋2单元1102室") or, in the countryside,
        a house of a village group ("盘州市石坪镇龙寨村3组12号")."""
        rng = self.rng
        if urban or rng.random() < 0.4:
            floor, flat = rng.randint(1, 18 if rng.random() < 0.5 else 6), rng.randint(1, 4)
            unit = f"{rng.randint(1, 4)}单元{floor}{flat:02d}室"
            if rng.random() < 0.5:
                return (f"{county_name}{rng.choice(STREETS)}{rng.randint(1, 399)}号{unit}")
            return (f"{county_name}{rng.choice(COMPOUNDS)}小区{rng.randint(1, 30)}栋{unit}")
        town = self._place() + rng.choice(("镇", "乡"))
        return (f"{county_name}{town}{self._place()}村{rng.randint(1, 12)}组"
                f"{rng.randint(1, 120)}号")
