/*
 * names.c - the name tables of the demo city and the functions that combine them.
 *
 * Surname weights are shares in basis points (1/10,000) of the population, rounded,
 * after the national household-registration statistics published for 2019-2020; the
 * long tail of rarer surnames is folded into the listed ones. Place names are
 * invented for 安澜市 and combine a first and a second part, walked through with a
 * stride coprime to the table size so that neighbours do not share a first part.
 */
#include "demo/names.h"

#include <stdio.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "base/alloc.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

typedef struct weighted { const char *s; double w; } weighted;

static const weighted surnames[] = {
    {"王", 725}, {"李", 719}, {"张", 677}, {"刘", 538}, {"陈", 453}, {"杨", 308},
    {"黄", 223}, {"赵", 214}, {"吴", 201}, {"周", 191}, {"徐", 159}, {"孙", 152},
    {"马", 145}, {"朱", 131}, {"胡", 130}, {"郭", 115}, {"何", 113}, {"林", 106},
    {"高", 107}, {"罗", 105}, {"郑", 97},  {"梁", 92},  {"谢", 87},  {"宋", 80},
    {"唐", 79},  {"许", 74},  {"韩", 72},  {"冯", 70},  {"邓", 70},  {"曹", 69},
    {"彭", 66},  {"曾", 65},  {"肖", 63},  {"田", 61},  {"董", 59},  {"袁", 56},
    {"潘", 55},  {"于", 54},  {"蒋", 54},  {"蔡", 53},  {"余", 52},  {"杜", 51},
    {"叶", 51},  {"程", 49},  {"苏", 47},  {"魏", 47},  {"吕", 46},  {"丁", 44},
    {"任", 44},  {"沈", 41},  {"姚", 40},  {"卢", 40},  {"姜", 39},  {"崔", 38},
    {"钟", 37},  {"谭", 37},  {"陆", 36},  {"汪", 35},  {"范", 35},  {"金", 34},
    {"石", 33},  {"廖", 33},  {"贾", 32},  {"夏", 31},  {"韦", 30},  {"付", 30},
    {"方", 30},  {"白", 29},  {"邹", 29},  {"孟", 28},  {"熊", 28},  {"秦", 27},
    {"邱", 27},  {"江", 26},  {"尹", 26},  {"薛", 25},  {"闫", 25},  {"段", 24},
    {"雷", 24},  {"侯", 23},  {"龙", 23},  {"史", 22},  {"陶", 21},  {"黎", 21},
    {"贺", 21},  {"顾", 20},  {"毛", 20},  {"郝", 20},  {"龚", 19},  {"邵", 19},
    {"万", 19},  {"钱", 18},  {"严", 18},  {"覃", 18},  {"武", 18},  {"戴", 18},
    {"莫", 17},  {"孔", 17},  {"向", 17},  {"汤", 16},  {"欧阳", 4}, {"上官", 1},
    {"司马", 1}, {"诸葛", 1},
};

/* Given-name characters by sex and generation (born before 1965, 1965-1994, after). */
static const char *const male_old[] = {
    "建", "国", "军", "华", "明", "德", "福", "财", "富", "贵", "荣", "发", "忠", "义",
    "文", "武", "兴", "学", "志", "永", "顺", "林", "成", "山", "宝", "胜", "利", "强",
    "红", "卫", "东", "民", "长", "海", "春", "清", "仁", "廷"};
static const char *const male_mid[] = {
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏",
    "华", "飞", "波", "宇", "浩", "凯", "健", "俊", "帆", "旭", "宁", "龙", "林", "阳",
    "建", "志", "文", "成", "东", "海", "峰", "亮", "毅", "彬", "兵", "松", "亚", "小"};
static const char *const male_young[] = {
    "子", "轩", "浩", "宇", "睿", "泽", "昊", "然", "铭", "天", "一", "诚", "航", "嘉",
    "豪", "翔", "博", "文", "晨", "俊", "梓", "逸", "辰", "宸", "皓", "锦", "瑞", "奕",
    "宇", "杰", "鑫", "鹏", "凯", "阳", "涛", "思", "明", "煜", "霖", "骏"};
static const char *const female_old[] = {
    "秀", "英", "兰", "珍", "淑", "芳", "桂", "凤", "玉", "华", "梅", "菊", "琴", "素",
    "云", "莲", "翠", "春", "花", "荣", "惠", "贞", "美", "秋", "金", "彩", "香", "芬"};
static const char *const female_mid[] = {
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "婷", "雪", "琳", "晶",
    "颖", "倩", "慧", "莉", "梅", "红", "萍", "洁", "佳", "欣", "英", "华", "利", "小",
    "晓", "春", "丹", "蓉", "琼", "杰", "薇", "雯", "蕾", "璐"};
static const char *const female_young[] = {
    "梓", "涵", "欣", "怡", "雨", "诗", "梦", "思", "琪", "悦", "语", "馨", "可", "妍",
    "瑶", "晴", "月", "一", "诺", "子", "萱", "佳", "若", "彤", "依", "嘉", "紫", "菲",
    "雅", "婷", "琳", "心", "艺", "晨", "乐", "汐", "沐", "安"};

static const char *const district_names[] = {
    "澜江", "青禾", "云锦", "金台", "望川", "玉泉", "临溪", "白鹭", "松林", "东岳",
    "西岭", "南湖", "北城", "长宁", "永丰", "凤鸣", "柳城", "安平", "清河", "石门",
    "鹤山", "兴隆", "桃源", "龙溪", "宝林", "天池", "双流湾", "红岩", "翠屏", "仙女山"};

static const char *const street_a[] = {
    "东", "西", "南", "北", "新", "青", "金", "银", "桂", "柳", "红", "白", "龙", "凤",
    "清", "石", "玉", "华", "兴", "长", "永", "和", "太", "双"};
static const char *const street_b[] = {
    "湖", "桥", "城", "门", "林", "山", "坝", "塘", "湾", "溪", "江", "河", "苑", "坪",
    "园", "泉", "岭", "安", "平", "光", "阳", "盛", "华", "丰", "福"};

static const char *const comm_a[] = {
    "桂花", "和平", "幸福", "光华", "红星", "建设", "新华", "东风", "锦绣", "翠竹",
    "柳荫", "芙蓉", "玉林", "紫荆", "棕树", "枣子", "桃花", "团结", "友谊", "胜利",
    "东城", "西苑", "南街", "北苑", "沙湾", "草堂", "水井", "双桥", "青龙", "白果",
    "金竹", "银杏", "石羊", "望江", "新村", "花园", "民兴", "盐市", "荷花", "桂苑"};
static const char *const comm_b_urban[] = {"", "一", "二", "三", "东", "西", "南", "北", "新"};
static const char *const village_a[] = {
    "石桥", "柳湾", "黄桷", "大河", "杨柳", "高坪", "李家", "张家", "王家", "陈家",
    "竹林", "白庙", "观音", "龙潭", "土门", "新桥", "马鞍", "凉水", "桃园", "干沟",
    "三合", "五星", "七里", "九龙", "长林", "大田", "松树", "梨花", "堰塘", "鹿鸣"};

static const char *const roads_a[] = {
    "和平", "人民", "建设", "解放", "中山", "光明", "文化", "育才", "学府", "锦华",
    "滨江", "新华", "长安", "兴业", "青年", "朝阳", "顺城", "玉带", "金沙", "沿河"};
static const char *const roads_b[] = {"路", "街", "大道", "巷", "西路", "东路", "南街", "北街"};

static const char *const firm_a[] = {
    "华兴", "恒通", "锦程", "蜀光", "宏达", "鑫源", "天元", "龙腾", "盛世", "博远",
    "众诚", "利民", "新星", "东方", "长城", "金鼎", "瑞丰", "汇通", "中和", "永信",
    "凯瑞", "嘉禾", "同创", "佳联", "明德", "三江", "川润", "祥和", "云帆", "海川"};
static const char *const firm_b[] = {
    "科技有限公司",   "机械厂",         "食品有限公司", "物流有限公司",   "建筑工程有限公司",
    "电子厂",         "商贸有限公司",   "餐饮管理有限公司", "药业有限公司", "纺织厂",
    "软件有限公司",   "汽车配件有限公司", "印务有限公司", "物业管理有限公司", "家具厂",
    "信息技术有限公司", "建材有限公司", "酒业有限公司", "服装厂",         "设计院"};

static const char *const dishes[] = {
    "火锅", "串串香", "冒菜", "面馆", "小吃", "烧烤", "中餐厅", "钵钵鸡", "抄手",
    "砂锅", "烤鱼", "饺子馆", "茶餐厅", "川菜馆", "豆花饭"};
static const char *const shop_chains[] = {"惠民", "邻家", "优鲜汇", "澜客来", "家和", "百润"};

struct demo_names {
    gsl_ran_discrete_t *surname;
};

demo_names *demo_names_new(void)
{
    double w[COUNT(surnames)];
    for (size_t i = 0; i < COUNT(surnames); i++)
        w[i] = surnames[i].w;
    demo_names *n = fk_calloc(1, sizeof *n);
    n->surname = gsl_ran_discrete_preproc(COUNT(surnames), w);
    return n;
}

void demo_names_free(demo_names *n)
{
    if (!n)
        return;
    gsl_ran_discrete_free(n->surname);
    free(n);
}

const char *demo_name_surname(demo_names *n, gsl_rng *r)
{
    return surnames[gsl_ran_discrete(r, n->surname)].s;
}

static const char *pick(gsl_rng *r, const char *const *list, size_t count)
{
    return list[gsl_rng_uniform_int(r, count)];
}

void demo_name_person(demo_names *n, gsl_rng *r, const char *surname, char sex, int birth_year,
                      char *out, size_t cap)
{
    (void)n;
    const char *const *list;
    size_t count;
    int gen = birth_year < 1965 ? 0 : birth_year < 1995 ? 1 : 2;
    if (sex == 'M') {
        list = gen == 0 ? male_old : gen == 1 ? male_mid : male_young;
        count = gen == 0 ? COUNT(male_old) : gen == 1 ? COUNT(male_mid) : COUNT(male_young);
    } else {
        list = gen == 0 ? female_old : gen == 1 ? female_mid : female_young;
        count = gen == 0 ? COUNT(female_old) : gen == 1 ? COUNT(female_mid) : COUNT(female_young);
    }
    /* one-character given names were commoner before the 1990s */
    double single = gen == 0 ? 0.28 : gen == 1 ? 0.22 : 0.10;
    const char *a = pick(r, list, count);
    if (gsl_rng_uniform(r) < single) {
        snprintf(out, cap, "%s%s", surname, a);
        return;
    }
    const char *b = pick(r, list, count);
    /* reduplicated names (婷婷, 欢欢) only for girls, now and then */
    if (!strcmp(a, b) && (sex == 'M' || gsl_rng_uniform(r) < 0.7))
        while (!strcmp(a, b))
            b = pick(r, list, count);
    snprintf(out, cap, "%s%s%s", surname, a, b);
}

static size_t gcd(size_t a, size_t b)
{
    while (b) {
        size_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Step through a table of n entries: a stride near n / golden ratio, coprime to n, so
 * that consecutive indices land far apart and n consecutive indices are all distinct. */
static size_t walk(size_t i, size_t salt, size_t n)
{
    if (n <= 1)
        return 0;
    size_t s = (size_t)((double)n * 0.6180339887) | 1;
    while (gcd(s, n) != 1)
        s++;
    return (i * s + salt) % n;
}

static const char *numeral(size_t k)
{
    static const char *const num[] = {"", "二", "三", "四", "五", "六", "七", "八", "九", "十"};
    return num[k % COUNT(num)];
}

void demo_name_district(size_t i, char *out, size_t cap)
{
    size_t n = COUNT(district_names);
    snprintf(out, cap, "%s%s区", district_names[i % n], numeral(i / n));
}

void demo_name_street(size_t i, size_t salt, char *out, size_t cap)
{
    size_t na = COUNT(street_a), nb = COUNT(street_b), k = walk(i, salt, na * nb);
    snprintf(out, cap, "%s%s%s街道", street_a[k / nb], street_b[k % nb], numeral(i / (na * nb)));
}

void demo_name_community(size_t i, size_t salt, int rural, char *out, size_t cap)
{
    if (rural) {
        size_t n = COUNT(village_a), k = walk(i, salt, n);
        snprintf(out, cap, "%s%s村", village_a[k], numeral(i / n));
        return;
    }
    size_t na = COUNT(comm_a), nb = COUNT(comm_b_urban), k = walk(i, salt, na * nb);
    snprintf(out, cap, "%s%s%s社区", comm_a[k / nb], comm_b_urban[k % nb], numeral(i / (na * nb)));
}

void demo_name_grid(size_t i, char *out, size_t cap)
{
    snprintf(out, cap, "第%zu网格", i + 1);
}

void demo_name_road_address(gsl_rng *r, char *out, size_t cap)
{
    unsigned long no = 1 + gsl_rng_uniform_int(r, 199);
    const char *a = pick(r, roads_a, COUNT(roads_a)), *b = pick(r, roads_b, COUNT(roads_b));
    if (gsl_rng_uniform(r) < 0.3)
        snprintf(out, cap, "%s%s%lu号附%lu号", a, b, no, 1 + gsl_rng_uniform_int(r, 12));
    else
        snprintf(out, cap, "%s%s%lu号", a, b, no);
}

void demo_name_work_unit(size_t i, size_t salt, char *out, size_t cap)
{
    size_t na = COUNT(firm_a), nb = COUNT(firm_b), all = na * na * nb;
    size_t k = walk(i % all, salt, all);
    size_t a = k / (na * nb), c = k / nb % na, b = k % nb;
    char branch[32] = "";
    if (i >= all)
        snprintf(branch, sizeof branch, "第%zu分公司", i / all + 1);
    if (a == c)
        snprintf(out, cap, "安澜%s%s%s", firm_a[a], firm_b[b], branch);
    else
        snprintf(out, cap, "安澜%s%s%s%s", firm_a[a], firm_a[c], firm_b[b], branch);
}

void demo_name_restaurant(demo_names *n, gsl_rng *r, char *out, size_t cap)
{
    const char *s = demo_name_surname(n, r), *d = pick(r, dishes, COUNT(dishes));
    switch (gsl_rng_uniform_int(r, 4)) {
    case 0: snprintf(out, cap, "%s记%s", s, d); break;
    case 1: snprintf(out, cap, "老%s%s", s, d); break;
    case 2: snprintf(out, cap, "%s家%s", s, d); break;
    default: snprintf(out, cap, "%s%s", pick(r, roads_a, COUNT(roads_a)), d); break;
    }
}

void demo_name_supermarket(gsl_rng *r, const char *place, char *out, size_t cap)
{
    snprintf(out, cap, "%s超市(%s店)", pick(r, shop_chains, COUNT(shop_chains)), place);
}

void demo_name_stem(const char *name, char *out, size_t cap)
{
    static const char *const suffixes[] = {"街道", "社区", "村", "区", "县"};
    snprintf(out, cap, "%s", name);
    size_t len = strlen(out);
    for (size_t i = 0; i < COUNT(suffixes); i++) {
        size_t k = strlen(suffixes[i]);
        if (len > k && !strcmp(out + len - k, suffixes[i])) {
            out[len - k] = '\0';
            return;
        }
    }
}

void demo_name_number(int n, char *out, size_t cap)
{
    static const char *const d[] = {"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
    int h = n / 100 % 10, t = n / 10 % 10, u = n % 10;
    char buf[64] = "";
    size_t len = 0;
    if (h)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s百", d[h]);
    if (t)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s十",
                                (t == 1 && !h) ? "" : d[t]);
    else if (h && u)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "零");
    if (u || (!h && !t))
        snprintf(buf + len, sizeof buf - len, "%s", d[u]);
    snprintf(out, cap, "%s", buf);
}
