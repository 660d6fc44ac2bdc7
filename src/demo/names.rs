//! Name lists for the demo county: towns and their villages, roads and trades,
//! sectors, departments, and the pieces personal and company names are made of.
//! The town names are Wenling's own; villages, roads, companies and people are
//! plausible but invented.

/// A town (镇) or street (街道) of the county, in code order (331081001…).
pub struct Town {
    pub name: &'static str,
    /// Roads for street addresses.
    pub roads: &'static [&'static str],
    /// Local trades, for company names and titles.
    pub trades: &'static [&'static str],
    /// What its station and studio focus on.
    pub focus: &'static [&'static str],
    /// Communities (社区) first, then villages (村).
    pub villages: &'static [&'static str],
    /// Number of liaison stations (2–4).
    pub stations: usize,
    /// Relative population, for placing representatives.
    pub weight: u32,
    /// On the sea: fishing titles make sense here.
    pub coastal: bool,
}

impl Town {
    pub fn is_street(&self) -> bool {
        self.name.ends_with("街道")
    }
}

pub const TOWNS: [Town; 16] = [
    Town {
        name: "太平街道",
        roads: &["万昌中路", "人民东路", "东辉北路", "三星大道", "横湖中路", "北山路"],
        trades: &["商贸", "电子商务", "眼镜"],
        focus: &["老旧小区改造", "停车难", "社区养老"],
        villages: &[
            "万昌社区",
            "横湖社区",
            "东门社区",
            "西门社区",
            "南屏社区",
            "锦屏社区",
            "石夫人社区",
            "下保村",
            "三星村",
        ],
        stations: 3,
        weight: 14,
        coastal: false,
    },
    Town {
        name: "城东街道",
        roads: &["东环大道", "中华路", "九龙大道", "百丈路", "北环路"],
        trades: &["鞋业", "注塑机械", "服装"],
        focus: &["鞋业转型", "道路交通", "外来人口服务"],
        villages: &["东辉社区", "新峰社区", "九龙社区", "百丈社区", "肖泉村", "应家村", "楼山村"],
        stations: 3,
        weight: 9,
        coastal: false,
    },
    Town {
        name: "城西街道",
        roads: &["锦园路", "西环路", "鹤鸣路", "横峰大道", "麻车桥路"],
        trades: &["工量刃具", "鞋业", "机床"],
        focus: &["小微园区", "河道治理", "教育资源"],
        villages: &["鹤鸣社区", "渭川社区", "锦园社区", "横街村", "岙环村", "麻车桥村"],
        stations: 2,
        weight: 8,
        coastal: false,
    },
    Town {
        name: "城北街道",
        roads: &["北山路", "长屿路", "上林路", "锦屏大道"],
        trades: &["水泵", "机电", "石材"],
        focus: &["城中村改造", "垃圾分类", "公交线路"],
        villages: &["北岙社区", "上林社区", "泉溪社区", "大路村", "大闸村", "高桥头村", "王家岙村"],
        stations: 2,
        weight: 8,
        coastal: false,
    },
    Town {
        name: "横峰街道",
        roads: &["横峰大道", "前洋路", "利民路", "郑坦路"],
        trades: &["鞋业", "汽摩配件", "包装"],
        focus: &["企业用工", "消防安全", "出租房管理"],
        villages: &["横峰社区", "前洋社区", "利民社区", "郑坦村", "西岙村", "下洋顾村"],
        stations: 3,
        weight: 7,
        coastal: false,
    },
    Town {
        name: "泽国镇",
        roads: &["文昌路", "商城路", "丹崖路", "牧屿大道", "腾蛟路", "水澄路"],
        trades: &["泵业", "空压机", "电机"],
        focus: &["民营经济", "营商环境", "产业升级"],
        villages: &[
            "泽国社区",
            "文昌社区",
            "商城社区",
            "牧东村",
            "牧西村",
            "腾蛟村",
            "丹崖村",
            "水澄村",
            "联树村",
            "后洋村",
            "夹屿村",
        ],
        stations: 4,
        weight: 16,
        coastal: false,
    },
    Town {
        name: "大溪镇",
        roads: &["大溪路", "潘郎路", "工业大道", "方山路", "洋山路"],
        trades: &["水泵", "电机", "鞋业"],
        focus: &["企业服务", "安全生产", "山区道路"],
        villages: &["大溪社区", "潘郎社区", "横岙村", "沈岙村", "大洋城村", "洋山村", "方山村", "上游村", "照洋村"],
        stations: 3,
        weight: 13,
        coastal: false,
    },
    Town {
        name: "松门镇",
        roads: &["松门大道", "海城路", "东海路", "淋川路"],
        trades: &["船舶修造", "水产加工", "鞋业"],
        focus: &["渔业转型", "海塘安澜", "渔民社保"],
        villages: &["松门社区", "海滨社区", "淋川村", "东南村", "南塘村", "松建村", "龙门村", "五岙村"],
        stations: 3,
        weight: 10,
        coastal: true,
    },
    Town {
        name: "箬横镇",
        roads: &["箬横大道", "晋岙路", "东浦路", "东海大道"],
        trades: &["西瓜种植", "农业机械", "鞋业"],
        focus: &["西瓜产业", "农田水利", "乡村振兴"],
        villages: &["箬横社区", "晋岙村", "东浦村", "西浦村", "浦岙村", "礁山村", "金塘村", "南山村"],
        stations: 3,
        weight: 10,
        coastal: true,
    },
    Town {
        name: "新河镇",
        roads: &["新河大道", "塘下路", "长屿路", "八份路"],
        trades: &["帽业", "鞋业", "制冷配件"],
        focus: &["帽业发展", "长屿硐天景区", "农村饮水"],
        villages: &["新河社区", "长屿村", "塘下村", "八份村", "南鉴村", "寺前村", "中峰村"],
        stations: 3,
        weight: 8,
        coastal: false,
    },
    Town {
        name: "石塘镇",
        roads: &["海滨路", "箬山路", "千年曙光路", "东海渔港路"],
        trades: &["远洋渔业", "水产加工", "民宿旅游"],
        focus: &["渔业安全生产", "海洋环保", "民宿发展"],
        villages: &["石塘社区", "箬山社区", "东海村", "海利村", "里箬村", "前红村", "钓浜村", "粗沙头村"],
        stations: 3,
        weight: 6,
        coastal: true,
    },
    Town {
        name: "滨海镇",
        roads: &["滨海大道", "团结路", "兴海路", "东升路"],
        trades: &["水产养殖", "农业开发", "机械制造"],
        focus: &["围垦开发", "水产养殖", "农村道路"],
        villages: &["滨海社区", "团结村", "新民村", "东升村", "南海涂村", "兴海村", "礁山头村"],
        stations: 2,
        weight: 7,
        coastal: true,
    },
    Town {
        name: "温峤镇",
        roads: &["温峤大道", "江厦路", "琛山路", "上保路"],
        trades: &["工量刃具", "汽摩配件", "服装"],
        focus: &["工业园区", "江厦潮汐电站周边", "生态保护"],
        villages: &["温峤社区", "江厦村", "琛山村", "上保村", "温西村", "青屿村", "楼旗村"],
        stations: 3,
        weight: 7,
        coastal: true,
    },
    Town {
        name: "城南镇",
        roads: &["城南大道", "石粘路", "云门路", "大岙路"],
        trades: &["鞋业", "电机", "农业开发"],
        focus: &["农村环境", "小城镇建设", "养老服务"],
        villages: &["城南社区", "石粘村", "大岙村", "岙底村", "上蒋村", "云门村"],
        stations: 2,
        weight: 5,
        coastal: true,
    },
    Town {
        name: "石桥头镇",
        roads: &["石桥头大道", "后岸路", "海山路", "上马路"],
        trades: &["阀门", "电机", "农业开发"],
        focus: &["美丽乡村", "村级集体经济", "农村电商"],
        villages: &["石桥头社区", "后岸村", "上马村", "海山村", "白山村", "前溪村"],
        stations: 2,
        weight: 5,
        coastal: false,
    },
    Town {
        name: "坞根镇",
        roads: &["坞根大道", "沙山路", "花芯路"],
        trades: &["红色旅游", "杨梅种植", "农业开发"],
        focus: &["红色旅游", "山区交通", "杨梅产业"],
        villages: &["坞根社区", "坞根村", "沙山村", "花芯村", "郑家岙村", "山后村"],
        stations: 2,
        weight: 4,
        coastal: true,
    },
];

/// The 21 sectors (界别) of the county CPPCC, each with what its studio works on
/// and its relative number of members.
pub const SECTORS: [(&str, &str, u32); 21] = [
    ("中共", "党建引领,基层治理,民主监督", 10),
    ("民革", "法治建设,祖国统一", 3),
    ("民盟", "教育文化,科技创新", 4),
    ("民建", "民营经济,营商环境", 5),
    ("民进", "教育,文化出版", 4),
    ("农工党", "医疗卫生,生态环境", 3),
    ("致公党", "侨务工作,对外开放", 2),
    ("九三学社", "科技创新,人才发展", 3),
    ("无党派", "社会治理,民主监督", 3),
    ("共青团和青联", "青年发展,创新创业", 5),
    ("工商联", "民营经济,企业服务,营商环境", 8),
    ("科技", "科技创新,数字经济", 4),
    ("文化艺术", "文化传承,文旅融合", 4),
    ("教育", "教育均衡,校园安全,职业教育", 6),
    ("医卫", "医疗卫生,健康服务,公共卫生", 6),
    ("体育", "全民健身,体育产业", 2),
    ("新闻出版", "舆论宣传,文化传播", 2),
    ("经济", "产业升级,金融服务", 7),
    ("农业", "乡村振兴,农业现代化,渔业发展", 6),
    ("社会福利和社会保障", "养老服务,社会救助,残疾人服务", 4),
    ("特邀", "法治建设,社会治理,侨务工作", 4),
];

/// City departments (承办单位): name, fields of work, supervised by the
/// congress office (true) or the government inspection office (false).
pub const CITY_DEPARTMENTS: [(&str, &str, bool); 26] = [
    ("市交通运输局", "交通,道路,公交,客运", true),
    ("市住房和城乡建设局", "住房,城乡建设,物业,老旧小区", true),
    ("市自然资源和规划局", "规划,土地,国土空间", true),
    ("市生态环境局", "环境保护,污染防治,噪声", true),
    ("市教育局", "教育,学校,校园安全", true),
    ("市卫生健康局", "医疗,卫生,健康", true),
    ("市民政局", "养老,社会救助,社区建设,殡葬", true),
    ("市人力资源和社会保障局", "就业,社保,劳动关系,欠薪", true),
    ("市市场监督管理局", "市场监管,食品安全,消费维权", true),
    ("市农业农村和水利局", "农业,水利,乡村振兴,农村饮水", true),
    ("市综合行政执法局", "城市管理,违章建筑,占道经营,市容", true),
    ("市公安局", "治安,交通安全,户籍", false),
    ("市文化和广电旅游体育局", "文化,旅游,体育,广电", false),
    ("市发展和改革局", "发展规划,重大项目,价格", false),
    ("市财政局", "财政,补贴,政府采购", false),
    ("市应急管理局", "安全生产,应急救援,防汛防台", true),
    ("市经济和信息化局", "工业,企业服务,数字经济", false),
    ("市商务局", "商贸,外贸,电子商务", false),
    ("市司法局", "法律援助,人民调解,普法", false),
    ("市医疗保障局", "医保,医疗救助", true),
    ("市退役军人事务局", "退役军人,优抚", false),
    ("市海洋与渔业局", "渔业,海洋,渔船安全", true),
    ("市科学技术局", "科技创新,人才", false),
    ("市数据资源管理局", "政务服务,数据共享,一网通办", false),
    ("国网温岭市供电公司", "电力,供电,停电", true),
    ("温岭市水务集团", "供水,排水,污水处理", true),
];

/// Town departments: town index into [`TOWNS`], office name after the town name, fields.
pub const TOWN_DEPARTMENTS: [(usize, &str, &str); 14] = [
    (0, "综合信息指挥室", "基层治理,网格,矛盾调解"),
    (1, "建设管理办", "村镇建设,道路,违章建筑"),
    (2, "社会事务办", "民政,教育,卫生"),
    (4, "综合信息指挥室", "基层治理,网格,出租房"),
    (5, "社会事务办", "民政,教育,卫生,养老"),
    (5, "建设管理办", "村镇建设,道路,环境整治"),
    (6, "建设管理办", "村镇建设,道路,安全生产"),
    (7, "海洋与渔业办公室", "渔业,渔船安全,海塘"),
    (8, "农业农村办", "农业,农田水利,乡村振兴"),
    (9, "社会事务办", "民政,教育,卫生"),
    (10, "建设管理办", "村镇建设,道路,民宿"),
    (10, "海洋与渔业办公室", "渔业,渔船安全,海洋环保"),
    (11, "综合信息指挥室", "基层治理,网格,围垦"),
    (12, "建设管理办", "村镇建设,工业园区,道路"),
];

/// Surnames with weights; Taizhou has many 林、陈、王、叶、郭、江.
pub const SURNAMES: [(&str, u32); 40] = [
    ("林", 12),
    ("陈", 12),
    ("王", 10),
    ("叶", 6),
    ("李", 5),
    ("张", 5),
    ("郭", 4),
    ("江", 4),
    ("黄", 4),
    ("吴", 4),
    ("周", 4),
    ("郑", 4),
    ("徐", 3),
    ("蔡", 3),
    ("潘", 3),
    ("金", 3),
    ("杨", 3),
    ("赵", 2),
    ("梁", 2),
    ("谢", 2),
    ("应", 2),
    ("毛", 2),
    ("卢", 2),
    ("朱", 2),
    ("许", 2),
    ("何", 2),
    ("阮", 2),
    ("夏", 1),
    ("颜", 1),
    ("戴", 1),
    ("章", 1),
    ("汪", 1),
    ("范", 1),
    ("冯", 1),
    ("蒋", 1),
    ("管", 1),
    ("陶", 1),
    ("罗", 1),
    ("池", 1),
    ("孙", 1),
];

pub const MALE_CHARS: [&str; 48] = [
    "建", "国", "明", "伟", "军", "华", "强", "平", "杰", "斌", "辉", "林", "海", "波", "峰", "勇", "刚", "涛", "志",
    "文", "剑", "永", "福", "荣", "德", "昌", "良", "兴", "跃", "鹏", "飞", "宇", "浩", "超", "磊", "俊", "义", "仁",
    "根", "友", "才", "锋", "新", "云", "顺", "达", "冬", "胜",
];

pub const FEMALE_CHARS: [&str; 36] = [
    "芳", "英", "丽", "红", "燕", "萍", "玲", "霞", "敏", "静", "娟", "婷", "洁", "琴", "素", "秀", "美", "慧", "雪",
    "莉", "颖", "丹", "君", "青", "月", "佳", "晓", "艳", "亚", "琳", "蕾", "婉", "春", "巧", "菊", "倩",
];

/// Invented company name stems.
pub const BRANDS: [&str; 32] = [
    "鑫宏", "华锐", "恒丰", "东泰", "联达", "新利", "宏泰", "金海", "天成", "瑞丰", "永盛", "博通", "信诚", "海星",
    "嘉旺", "立昌", "合力", "远航", "润泽", "光明", "凯达", "腾飞", "丰源", "众诚", "长青", "汇通", "明德", "方圆",
    "盛世", "安达", "百川", "卓越",
];

pub const OPENING_HOURS: [&str; 4] = [
    "工作日 8:30-11:30，14:00-17:00",
    "工作日 8:30-11:30，13:30-17:00",
    "周一至周五 8:30-17:00",
    "工作日 9:00-11:30，14:00-17:30",
];

pub const RECEPTION_DAYS: [&str; 6] = [
    "每月5日、20日上午",
    "每月10日、25日上午",
    "每月第一周周三全天",
    "每月15日全天",
    "每周四上午",
    "每月1日、15日下午",
];

/// Themes any station may serve, besides its town's focus.
pub const COMMON_FIELDS: [&str; 10] = [
    "民生实事",
    "基层治理",
    "交通出行",
    "教育医疗",
    "环境保护",
    "养老服务",
    "就业社保",
    "食品安全",
    "安全生产",
    "矛盾调解",
];

/// What a representative does for a living; decides the title and a concern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    Entrepreneur,
    VillageCadre,
    Official,
    Doctor,
    Teacher,
    Farmer,
    Fisher,
    Worker,
    Lawyer,
    Engineer,
    Culture,
    Sports,
    Media,
    Welfare,
    Youth,
    Banker,
}

impl Job {
    /// Title templates and concerns. In a template `{b}` is a company stem, `{t}` a
    /// local trade, `{p}` the town, `{v}` a village, `{c}` a crop and `{x}` a city
    /// bureau. A template tagged `镇:` suits towns only, `街:` streets only, `社:`
    /// communities only and `村:` villages only.
    pub fn templates(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            Job::Entrepreneur => (
                &[
                    "温岭市{b}{t}有限公司董事长",
                    "温岭市{b}{t}有限公司总经理",
                    "温岭市{b}{t}有限公司执行董事",
                    "浙江{b}{t}股份有限公司董事长",
                ],
                &["民营经济", "营商环境", "企业融资", "产业升级"],
            ),
            Job::VillageCadre => (
                &[
                    "社:{p}{v}党委书记、居委会主任",
                    "社:{p}{v}居委会主任",
                    "社:{p}{v}党委书记",
                    "村:{p}{v}党支部书记、村委会主任",
                    "村:{p}{v}村委会主任",
                    "村:{p}{v}党支部书记",
                ],
                &["村级集体经济", "基层治理", "农村人居环境"],
            ),
            Job::Official => (
                &["镇:{p}党委书记", "街:{p}党工委书记", "镇:{p}人大主席", "街:{p}人大工委主任", "温岭{x}局长"],
                &["基层治理", "重大项目推进", "民生实事"],
            ),
            Job::Doctor => (
                &[
                    "温岭市第一人民医院主任医师",
                    "温岭市第一人民医院副主任医师",
                    "温岭市第一人民医院护士长",
                    "温岭市中医院主任医师",
                    "温岭市妇幼保健院副院长",
                    "街:{p}社区卫生服务中心主任",
                    "镇:{p}卫生院院长",
                ],
                &["基层医疗", "医保报销", "公共卫生", "养老照护"],
            ),
            Job::Teacher => (
                &[
                    "温岭中学教师",
                    "温岭市第二中学副校长",
                    "温岭市职业技术学校教师",
                    "温岭市实验学校校长",
                    "镇:温岭市{p}中学教师",
                    "镇:温岭市{p}中心小学校长",
                ],
                &["教育均衡", "校园安全", "学生减负", "职业教育"],
            ),
            Job::Farmer => (
                &["温岭市{b}家庭农场负责人", "温岭市{b}{c}专业合作社社长", "村:{p}{v}种粮大户"],
                &["农业补贴", "农田水利", "农产品销售"],
            ),
            Job::Fisher => (
                &["温岭市{b}渔业专业合作社社长", "村:{p}{v}渔船船长", "温岭市{b}水产有限公司总经理"],
                &["渔业安全生产", "渔民转产", "海洋环保"],
            ),
            Job::Worker => (
                &[
                    "温岭市{b}{t}有限公司车间主任",
                    "温岭市{b}{t}有限公司一线职工",
                    "温岭市{b}{t}有限公司技术员",
                    "温岭市{b}{t}有限公司工会主席",
                ],
                &["职工权益", "技能培训", "外来务工人员子女入学"],
            ),
            Job::Lawyer => (
                &["浙江{b}律师事务所主任", "浙江{b}律师事务所律师", "温岭市{p}法律服务所主任"],
                &["法治建设", "矛盾纠纷化解", "法律援助"],
            ),
            Job::Engineer => (
                &[
                    "温岭市{b}{t}有限公司总工程师",
                    "浙江{b}{t}股份有限公司研发中心主任",
                    "温岭市科技创新服务中心高级工程师",
                ],
                &["科技创新", "人才引进", "数字化改造"],
            ),
            Job::Culture => (
                &[
                    "温岭市文化馆副馆长",
                    "温岭市书法家协会副主席",
                    "温岭市图书馆副馆长",
                    "温岭市{b}文化传媒有限公司总经理",
                ],
                &["文化惠民", "非遗保护", "文旅融合"],
            ),
            Job::Sports => {
                (&["温岭市体育运动学校教练员", "温岭市{b}体育发展有限公司总经理"], &["全民健身", "体育设施"])
            }
            Job::Media => {
                (&["温岭市融媒体中心记者", "温岭市融媒体中心编辑", "温岭市融媒体中心主持人"], &["舆论监督", "基层宣传"])
            }
            Job::Welfare => (
                &[
                    "{p}居家养老服务中心负责人",
                    "温岭市慈善总会副会长",
                    "温岭市{b}社会工作服务中心主任",
                    "温岭市残疾人联合会副理事长",
                ],
                &["养老服务", "社会救助", "残疾人就业"],
            ),
            Job::Youth => (
                &["温岭市青年企业家协会副会长", "温岭市{b}电子商务有限公司总经理", "温岭市{b}科技有限公司创始人"],
                &["青年创业", "人才安居"],
            ),
            Job::Banker => {
                (&["温岭{b}村镇银行行长", "温岭市{b}小额贷款有限公司总经理"], &["小微企业融资", "金融风险防范"])
            }
        }
    }
}

/// Jobs with their weights.
pub type JobMix = &'static [(Job, u32)];

/// Deputies by level: how many, and the jobs they hold.
pub const DEPUTY_LEVELS: [(&str, usize, JobMix); 5] = [
    ("national", 2, &[(Job::Entrepreneur, 1), (Job::VillageCadre, 1)]),
    ("provincial", 5, &[(Job::Entrepreneur, 3), (Job::VillageCadre, 2), (Job::Doctor, 1), (Job::Worker, 1)]),
    (
        "city",
        20,
        &[(Job::Entrepreneur, 4), (Job::Official, 3), (Job::VillageCadre, 3), (Job::Doctor, 2), (Job::Teacher, 2)],
    ),
    (
        "county",
        120,
        &[
            (Job::Entrepreneur, 5),
            (Job::VillageCadre, 5),
            (Job::Official, 3),
            (Job::Doctor, 2),
            (Job::Teacher, 2),
            (Job::Farmer, 2),
            (Job::Fisher, 2),
            (Job::Worker, 2),
            (Job::Lawyer, 1),
        ],
    ),
    (
        "town",
        55,
        &[
            (Job::VillageCadre, 6),
            (Job::Entrepreneur, 3),
            (Job::Farmer, 3),
            (Job::Fisher, 2),
            (Job::Worker, 3),
            (Job::Teacher, 1),
            (Job::Doctor, 1),
        ],
    ),
];

/// The jobs members of a sector hold.
pub fn sector_jobs(sector: &str) -> &'static [Job] {
    use Job::*;
    match sector {
        "中共" => &[Official, Official, Teacher, VillageCadre],
        "民革" | "特邀" => &[Lawyer, Welfare],
        "民盟" | "无党派" => &[Teacher, Lawyer, Doctor],
        "民建" | "致公党" | "工商联" => &[Entrepreneur],
        "民进" => &[Teacher, Culture],
        "农工党" | "医卫" => &[Doctor],
        "九三学社" => &[Engineer, Doctor],
        "共青团和青联" => &[Youth, Entrepreneur],
        "科技" => &[Engineer],
        "文化艺术" => &[Culture],
        "教育" => &[Teacher],
        "体育" => &[Sports],
        "新闻出版" => &[Media],
        "经济" => &[Entrepreneur, Banker],
        "农业" => &[Farmer, Fisher],
        _ => &[Welfare],
    }
}
