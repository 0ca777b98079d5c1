"""Writes tests/data/company_pairs.tsv: labelled pairs of company names of real-world shape.

Run once; the TSV is committed (the benchmark reads only the TSV). Bases are real-world
shaped registered names (行政区划 + 字号 + 行业 + 组织形式); variants are how people
actually write them (short names, 省/市 or not, bracketed branches, 分公司, full-width,
traditional characters, spaces); negatives are the near misses a matcher must not join
(same 字号 in another city or trade, a neighbour's 字号, English names sharing letters).
Labels: same = one customer, different = two.  Columns: a, b, label, shape.
"""

from __future__ import annotations

import csv
from pathlib import Path

BASES = [  # (province, city, trade, industry, form, a town or branch place)
    ("广东省", "东莞市", "富达", "模具", "有限公司", "长安"),
    ("广东省", "深圳市", "华强", "电子", "有限公司", "福田"),
    ("广东省", "广州市", "白云", "化工", "有限公司", "花都"),
    ("江苏省", "苏州市", "汇川", "技术", "有限公司", "吴江"),
    ("浙江省", "杭州市", "海康威视", "数字技术", "股份有限公司", "滨江"),
    ("浙江省", "宁波市", "舜宇", "光学", "有限公司", "余姚"),
    ("福建省", "厦门市", "金龙", "汽车", "有限公司", "集美"),
    ("山东省", "青岛市", "海尔", "电器", "有限公司", "黄岛"),
    ("广东省", "珠海市", "格力", "电器", "股份有限公司", "斗门"),
    ("广东省", "佛山市", "美的", "电器", "有限公司", "顺德"),
    ("北京市", "北京市", "小米", "科技", "有限责任公司", "海淀"),
    ("上海市", "上海市", "振华", "重工", "股份有限公司", "浦东"),
    ("湖北省", "武汉市", "长飞", "光纤光缆", "股份有限公司", "东湖"),
    ("四川省", "成都市", "天府", "软件", "有限公司", "高新"),
    ("江苏省", "南京市", "熊猫", "电子", "有限公司", "江宁"),
    ("天津市", "天津市", "天士力", "医药", "股份有限公司", "北辰"),
    ("河南省", "郑州市", "宇通", "客车", "股份有限公司", "管城"),
    ("福建省", "福州市", "新大陆", "科技", "有限公司", "马尾"),
    ("湖南省", "长沙市", "中联", "重科", "股份有限公司", "岳麓"),
    ("山东省", "济南市", "浪潮", "信息", "有限公司", "历下"),
    ("辽宁省", "沈阳市", "新松", "机器人", "有限公司", "浑南"),
    ("广东省", "惠州市", "德赛", "电池", "有限公司", "仲恺"),
    ("浙江省", "温州市", "正泰", "电器", "股份有限公司", "乐清"),
    ("浙江省", "台州市", "吉利", "汽车", "有限公司", "临海"),
    ("江苏省", "无锡市", "先导", "智能装备", "股份有限公司", "新吴"),
    ("江苏省", "常州市", "天合", "光能", "股份有限公司", "武进"),
    ("广东省", "中山市", "明阳", "电器", "有限公司", "火炬"),
    ("广东省", "东莞市", "宏达", "毛织", "厂", "大朗"),
    ("广东省", "东莞市", "长盈", "精密", "有限公司", "松山湖"),
    ("广东省", "深圳市", "汇顶", "科技", "股份有限公司", "南山"),
    ("江苏省", "昆山市", "沪利", "电子", "有限公司", "开发区"),
    ("浙江省", "义乌市", "华鸿", "贸易", "有限公司", "稠城"),
    ("广东省", "汕头市", "澄海", "玩具", "有限公司", "莲下"),
    ("安徽省", "合肥市", "国轩", "高科", "股份有限公司", "包河"),
    ("陕西省", "西安市", "隆基", "绿能科技", "股份有限公司", "长安"),
    ("重庆市", "重庆市", "宗申", "动力", "股份有限公司", "巴南"),
    ("广西壮族自治区", "柳州市", "五菱", "汽车", "有限公司", "柳南"),
    ("云南省", "昆明市", "滇虹", "药业", "有限公司", "呈贡"),
    ("河北省", "石家庄市", "以岭", "药业", "股份有限公司", "高新"),
    ("江西省", "南昌市", "欧菲", "光电", "有限公司", "红谷滩"),
]
TRAD = str.maketrans({"东": "東", "莞": "莞", "达": "達", "华": "華", "强": "強", "电": "電", "龙": "龍", "车": "車",
                      "尔": "爾", "器": "器", "乐": "樂", "门": "門", "广": "廣", "州": "州", "苏": "蘇", "汇": "匯",
                      "术": "術", "杭": "杭", "宁": "寧", "厦": "廈", "软": "軟", "件": "件", "业": "業", "药": "藥",
                      "长": "長", "飞": "飛", "缆": "纜", "纤": "纖", "联": "聯", "进": "進", "贸": "貿", "易": "易",
                      "兴": "興", "发": "發", "机": "機", "业": "業", "气": "氣", "湾": "灣", "鸿": "鴻", "动": "動",
                      "绿": "綠", "能": "能", "宏": "宏", "织": "織", "厂": "廠", "庆": "慶", "滇": "滇", "虹": "虹"})
# neighbours: a different 字号 in the same place and trade (two companies)
NEIGHBOURS = {"富达": "富通", "华强": "华润", "白云": "白马", "汇川": "汇博", "海康威视": "海康机器", "舜宇": "舜天",
              "金龙": "金旅", "海尔": "海信", "格力": "格兰仕", "美的": "美菱", "小米": "小牛", "振华": "振兴",
              "长飞": "长江", "天府": "天网", "熊猫": "熊猫乳", "天士力": "天士通", "宇通": "宇宙", "新大陆": "新大洲",
              "中联": "中建", "浪潮": "浪莎", "新松": "新阳", "德赛": "德方", "正泰": "正泰安", "吉利": "吉祥",
              "先导": "先锋", "天合": "天和", "明阳": "明阳光", "宏达": "宏大", "长盈": "长虹", "汇顶": "汇丰",
              "沪利": "沪士", "华鸿": "华美", "澄海": "澄星", "国轩": "国电", "隆基": "隆平", "宗申": "宗庆",
              "五菱": "五粮", "滇虹": "滇红", "以岭": "以诺", "欧菲": "欧普"}
OTHER_CITY = {"东莞市": "上海市", "深圳市": "北京市", "广州市": "天津市", "苏州市": "杭州市", "杭州市": "南京市",
              "宁波市": "青岛市", "厦门市": "福州市", "青岛市": "大连市", "珠海市": "武汉市", "佛山市": "长沙市",
              "北京市": "上海市", "上海市": "重庆市", "武汉市": "成都市", "成都市": "西安市", "南京市": "合肥市",
              "天津市": "沈阳市", "郑州市": "济南市", "福州市": "南宁市", "长沙市": "南昌市", "济南市": "郑州市",
              "沈阳市": "长春市", "惠州市": "温州市", "温州市": "宁波市", "台州市": "绍兴市", "无锡市": "常州市",
              "常州市": "扬州市", "中山市": "江门市", "昆山市": "太仓市", "义乌市": "温州市", "汕头市": "潮州市",
              "合肥市": "芜湖市", "西安市": "兰州市", "重庆市": "贵阳市", "柳州市": "桂林市", "昆明市": "贵阳市",
              "石家庄市": "保定市", "南昌市": "九江市"}
OTHER_INDUSTRY = {"模具": "物流", "电子": "地产", "化工": "物业", "技术": "餐饮", "数字技术": "物流", "光学": "纺织",
                  "汽车": "食品", "电器": "物流", "科技": "餐饮", "重工": "传媒", "光纤光缆": "酒店", "软件": "建材",
                  "医药": "服装", "客车": "广告", "重科": "印刷", "信息": "家具", "机器人": "餐饮", "电池": "旅游",
                  "智能装备": "食品", "光能": "服装", "毛织": "物流", "精密": "餐饮", "贸易": "教育", "玩具": "物流",
                  "高科": "酒店", "绿能科技": "物业", "动力": "传媒", "药业": "建材", "光电": "物流"}

ENGLISH = [  # (registered, variants that are the same company, near misses that are not)
    ("Cisco Systems, Inc.", ["Cisco", "CISCO SYSTEMS INC", "Cisco Systems (China) Co., Ltd."], ["CIS Ltd.", "Sysco Corporation"]),
    ("Zinc Ltd", ["Zinc", "ZINC LIMITED"], ["Zin Co.", "Zincox Resources plc"]),
    ("Costco Wholesale Corporation", ["Costco", "COSTCO WHOLESALE CORP."], ["Cost Plus, Inc.", "Costa Coffee Ltd"]),
    ("Apple Inc.", ["Apple", "Apple (China) Co., Ltd."], ["Applied Materials, Inc.", "Pineapple Ltd"]),
    ("Robert Bosch GmbH", ["Robert Bosch", "ROBERT BOSCH GMBH"], ["Bosch Rexroth AG", "Robert Walters plc"]),
    ("Siemens AG", ["Siemens", "SIEMENS AG"], ["Siemens Healthineers AG", "Simens Ltd"]),
    ("Dongguan Fuda Mould Co., Ltd.", ["Fuda Mould Co Ltd", "DONGGUAN FUDA MOULD CO LTD"], ["Shanghai Fuda Logistics Co., Ltd.", "Dongguan Fuhua Mould Co., Ltd."]),
    ("Huawei Technologies Co., Ltd.", ["Huawei", "HUAWEI TECHNOLOGIES CO LTD", "Huawei Technologies (Shenzhen) Co., Ltd."], ["Huaweida Ltd", "Hua Xia Bank Co., Ltd."]),
    ("Lenovo Group Limited", ["Lenovo", "LENOVO GROUP LTD"], ["Lenox Ltd", "Levono Ltd"]),
    ("Foxconn Industrial Internet Co., Ltd.", ["Foxconn Industrial Internet", "FOXCONN INDUSTRIAL INTERNET CO LTD"], ["Fox Corporation", "Foxconn Interconnect Technology Ltd"]),
    ("Acme Corporation", ["ACME Corp.", "Acme"], ["Acme Markets, Inc.", "Acne Corp"]),
    ("The Coca-Cola Company", ["Coca-Cola", "COCA COLA CO"], ["Coca Cafe Ltd", "Cola Partners LLC"]),
    ("Samsung Electronics Co., Ltd.", ["Samsung Electronics", "SAMSUNG ELECTRONICS CO LTD"], ["Samsonite Corp", "Samsung Biologics Co., Ltd."]),
    ("Tesla, Inc.", ["Tesla", "TESLA INC"], ["Telsa Logistics Ltd", "Tesco PLC"]),
    ("Nestle S.A.", ["Nestle", "NESTLE SA"], ["Nestor Ltd", "Nest Labs, Inc."]),
]

# hard pairs around two rules of compare(): two complete registered names with different 字号 are two
# registrations; English names that go on with different further words are two companies. Both
# directions: informal typos and short names that must stay flagged, and neighbours that must not.
HARD = [
    ("天津市天士力医药股份有限公司", "天士利医药", "same", "hard: informal typo of a registered name"),
    ("天津市天士力医药股份有限公司", "天津天士力", "same", "hard: region+字号 of a registered name"),
    ("Siemens AG", "Simens", "same", "hard: informal typo of a registered name"),
    ("Lenovo Group Limited", "Lenova", "same", "hard: informal typo of a registered name"),
    ("Samsung Electronics Co., Ltd.", "Samsung", "same", "hard: english trade name alone"),
    ("Siemens Healthineers AG", "Siemens Healthineers", "same", "hard: english without legal form"),
    ("东莞市富达模具有限公司", "东莞市富达模具厂", "same", "hard: other legal form, same 字号"),
    ("东莞市富达模具有限公司", "东莞市富达通物流有限公司", "different", "hard: complete names, containing 字号, other trade"),
    ("深圳市汇顶科技股份有限公司", "深圳市汇顶通科技有限公司", "different", "hard: complete names, containing 字号"),
    ("广东省东莞市富达模具有限公司", "东莞市富通达模具有限公司", "different", "hard: complete names, one character more"),
    ("Lenovo Group Limited", "Lenova Ltd", "different", "hard: complete english names, one letter apart"),
    ("Samsung Electronics", "Samsung Biologics", "different", "hard: english further words differ"),
    ("Robert Bosch Power Tools", "Robert Bosch Packaging Technology", "different", "hard: english further words differ"),
    ("苏州市汇川技术有限公司", "苏州汇博技术", "different", "hard: informal neighbour 字号"),
    ("天津市天士力医药股份有限公司", "天津天士通医药", "different", "hard: informal neighbour (stays possible)"),
    ("Siemens", "Siemens Healthineers AG", "different", "hard: english short name vs a longer registered one (stays possible)"),
    ("Acme Markets", "Acme Corporation", "different", "hard: english further word on one side only (stays possible)"),
]


def fw(text: str) -> str:
    """Full-width letters, digits and brackets."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else ("\u3000" if c == " " else c) for c in text)


def pairs():
    out = []
    for province, city, trade, industry, form, place in BASES:
        short_city = city[:-1]
        full = f"{city}{trade}{industry}{form}"
        same = [
            (f"{short_city}{trade}", "region+字号"),
            (f"{trade}{industry}", "字号+行业"),
            (f"{short_city}{trade}{industry}{form}", "region without 市"),
            (f"{province}{city}{trade}{industry}{form}" if province != city else f"{short_city}{trade}{industry}{form}", "with province"),
            (f"{short_city}{trade}{industry}（{place}）{form}", "bracketed branch"),
            (f"{city}{trade}{industry}{form}{place}分公司", "分公司"),
            (full.translate(TRAD), "traditional"),
            (f"{trade}{industry}({short_city}){form}", "place in brackets"),
            (f" {short_city} {trade} {industry} {form} ", "spaces"),
        ]
        for other, shape in same:
            out.append((full, other, "same", shape))
        near = NEIGHBOURS.get(trade)
        ocity = OTHER_CITY.get(city, "上海市")
        oind = OTHER_INDUSTRY.get(industry, "物流")
        out.append((full, f"{ocity}{trade}{oind}{form}", "different", "same 字号, other city and trade"))
        out.append((full, f"{ocity}{trade}{industry}{form}", "different", "same 字号 and trade, other city"))
        if near:
            out.append((full, f"{city}{near}{industry}{form}", "different", "neighbour 字号, same city and trade"))
        out.append((full, f"{ocity[:-1]}{trade}{oind}", "different", "short name, other city and trade"))
    for registered, same, different in ENGLISH:
        for other in same:
            out.append((registered, other, "same", "english"))
        for other in different:
            out.append((registered, other, "different", "english near miss"))
    # full-width and mixed writing of English names
    for registered, same, _different in ENGLISH[:8]:
        out.append((registered, fw(same[0]), "same", "english full-width"))
    out.extend(HARD)
    return out


def main() -> None:
    path = Path(__file__).resolve().parents[1] / "tests" / "data" / "company_pairs.tsv"
    rows = pairs()
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(["a", "b", "label", "shape"])
        writer.writerows(rows)
    print(f"{len(rows)} pairs → {path}")


if __name__ == "__main__":
    main()
