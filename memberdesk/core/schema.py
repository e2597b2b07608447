"""Canonical data schema (docs/data-contract.md): tables, columns, their kinds, synonyms and vocabularies.

This module is data, not logic: readers, mapping, validation and the metric registry all read it,
so that a column name is spelled in exactly one place.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnKind = Literal["id", "text", "date", "number", "bool", "vocabulary", "category"]

MEMBERS = "members"
POLICIES = "policies"
BENEFIT_USAGE = "benefit_usage"
SERVICE_CONTACTS = "service_contacts"
CLAIMS = "claims"
PREMIUM_PAYMENTS = "premium_payments"
TABLES: tuple[str, ...] = (MEMBERS, POLICIES, BENEFIT_USAGE, SERVICE_CONTACTS, CLAIMS,
                           PREMIUM_PAYMENTS)


@dataclass(frozen=True)
class ColumnSpec:
    """One canonical column: its kind and the source headers that map to it.

    Synonyms are compared after normalisation (lower case, spaces/underscores/hyphens/dots
    removed), see :func:`memberdesk.core.mapping.normalise_header`.
    """

    name: str
    kind: ColumnKind
    synonyms: tuple[str, ...] = ()
    required: bool = False
    unique: bool = False
    nonnegative: bool = False
    vocabulary: str | None = None  # kind "vocabulary": its word list, a key of VOCABULARIES


@dataclass(frozen=True)
class TableSpec:
    name: str
    columns: tuple[ColumnSpec, ...]
    id_column: str | None
    sheet_names: tuple[str, ...] = field(default=())  # sheet/file names that identify the table

    def column(self, name: str) -> ColumnSpec:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


C = ColumnSpec

MEMBERS_SPEC = TableSpec(
    MEMBERS,
    (
        C("member_id", "id", ("member", "member id", "member no", "member number", "customer id",
                              "customer no", "customer number", "client id", "cust id", "会员号",
                              "会员编号", "会员id", "客户号", "客户编号", "客户id", "客户代码"),
          required=True, unique=True),
        C("birth_date", "date", ("dob", "date of birth", "birthday", "birth", "出生日期", "生日")),
        C("age", "number", ("age", "年龄", "投保年龄"), nonnegative=True),
        C("gender", "category", ("sex", "gender", "性别")),
        C("region", "category", ("region", "province", "state", "area", "city", "地区", "省份",
                                 "区域", "所在地区", "机构")),
        C("join_date", "date", ("join date", "joined", "member since", "enrol date",
                                "enrollment date", "registration date", "入会日期", "注册日期",
                                "加入日期")),
        C("tier", "category", ("tier", "level", "member tier", "member level", "grade", "等级",
                               "会员等级", "会员级别")),
    ),
    id_column="member_id",
    sheet_names=("members", "member", "customers", "clients", "会员", "会员信息", "客户", "客户信息"),
)

POLICIES_SPEC = TableSpec(
    POLICIES,
    (
        C("policy_id", "id", ("policy", "policy no", "policy number", "pol num", "pol no",
                              "policy num", "contract id", "contract no", "保单号", "保单号码",
                              "保单编号", "合同号"),
          required=True, unique=True),
        C("member_id", "id", MEMBERS_SPEC.column("member_id").synonyms),
        C("product", "category", ("product", "product name", "plan", "plan code", "产品",
                                  "产品名称", "险种", "险种名称")),
        C("product_type", "category", ("product type", "product line", "line of business", "lob",
                                       "产品类型", "险种类型", "险类")),
        C("channel", "category", ("channel", "sales channel", "distribution channel", "渠道",
                                  "销售渠道")),
        C("issue_date", "date", ("issue date", "effective date", "start date", "inception date",
                                 "policy date", "commencement date", "生效日期", "承保日期",
                                 "签单日期", "投保日期", "起保日期")),
        C("end_date", "date", ("end date", "termination date", "term date", "exit date",
                               "lapse date", "terminated", "终止日期", "失效日期", "退保日期",
                               "结束日期")),
        C("status", "vocabulary", ("status", "policy status", "state", "保单状态", "状态"),
          vocabulary="policy_status"),
        C("annual_premium", "number", ("premium", "annual premium", "annualised premium",
                                       "annualized premium", "ape", "年化保费", "期交保费",
                                       "保费", "年缴保费"),
          nonnegative=True),
        C("sum_assured", "number", ("sum assured", "sum insured", "face amount", "coverage",
                                    "保额", "基本保额", "保险金额"),
          nonnegative=True),
        C("payment_frequency", "category", ("payment frequency", "premium frequency", "pay mode",
                                            "frequency", "缴费方式", "缴费频率", "交费方式")),
        C("duration", "number", ("duration", "time", "survival time", "tenure", "时长"),
          nonnegative=True),
        C("event", "bool", ("event", "observed", "event observed", "died", "lapse flag", "事件")),
    ),
    id_column="policy_id",
    sheet_names=("policies", "policy", "保单", "保单信息", "保单明细"),
)

BENEFIT_USAGE_SPEC = TableSpec(
    BENEFIT_USAGE,
    (
        C("member_id", "id", MEMBERS_SPEC.column("member_id").synonyms),
        C("benefit", "category", ("benefit", "benefit name", "service item", "权益",
                                  "权益名称", "权益项目")),
        C("used_at", "date", ("used at", "use date", "usage date", "date used", "使用日期",
                              "使用时间")),
        C("cost", "number", ("cost", "benefit cost", "成本", "费用", "权益成本"),
          nonnegative=True),
    ),
    id_column=None,
    sheet_names=("benefit_usage", "benefits", "benefit usage", "权益", "权益使用", "权益使用记录"),
)

SERVICE_CONTACTS_SPEC = TableSpec(
    SERVICE_CONTACTS,
    (
        C("contact_id", "id", ("contact", "contact id", "ticket id", "session id", "case id",
                               "服务记录号", "会话id", "工单号"),
          unique=True),
        C("member_id", "id", MEMBERS_SPEC.column("member_id").synonyms),
        C("started_at", "date", ("started at", "start time", "contact time", "contact date",
                                 "created at", "开始时间", "来电时间", "服务时间", "咨询时间")),
        C("channel", "category", ("channel", "contact channel", "服务渠道", "渠道")),
        C("handled_by", "vocabulary", ("handled by", "handler", "agent type", "处理方", "接待方"),
          vocabulary="handled_by"),
        C("transferred_to_human", "bool", ("transferred to human", "transferred", "transfer",
                                           "escalated", "转人工", "是否转人工")),
        C("connected", "bool", ("connected", "answered", "接通", "是否接通")),
        C("wait_seconds", "number", ("wait seconds", "wait", "wait time", "queue seconds",
                                     "等待秒数", "等待时长"),
          nonnegative=True),
        C("resolved", "bool", ("resolved", "solved", "是否解决", "已解决")),
        C("satisfaction", "number", ("satisfaction", "rating", "csat", "score", "满意度",
                                     "评分")),
        C("topic", "category", ("topic", "category", "reason", "intent", "主题", "咨询类型",
                                "业务类型")),
    ),
    id_column="contact_id",
    sheet_names=("service_contacts", "service", "contacts", "服务记录", "客服记录", "服务"),
)

CLAIMS_SPEC = TableSpec(
    CLAIMS,
    (
        C("claim_id", "id", ("claim", "claim id", "claim no", "claim number", "赔案号",
                             "理赔号", "案件号"),
          unique=True),
        C("policy_id", "id", POLICIES_SPEC.column("policy_id").synonyms),
        C("member_id", "id", MEMBERS_SPEC.column("member_id").synonyms),
        C("reported_at", "date", ("reported at", "report date", "reported", "notification date",
                                  "报案日期", "报案时间")),
        C("settled_at", "date", ("settled at", "settlement date", "settled", "closed at",
                                 "结案日期", "结案时间")),
        C("status", "vocabulary", ("status", "claim status", "理赔状态", "案件状态", "状态"),
          vocabulary="claim_status"),
        C("amount_claimed", "number", ("amount claimed", "claimed", "claim amount",
                                       "申请金额", "索赔金额", "报案金额"),
          nonnegative=True),
        C("amount_paid", "number", ("amount paid", "paid", "paid amount", "赔付金额",
                                    "实赔金额"),
          nonnegative=True),
    ),
    id_column="claim_id",
    sheet_names=("claims", "claim", "理赔", "理赔记录", "赔案"),
)

# 缴费记录 (optional): one row per instalment due (or per part of one: rows with the same
# policy and due date add up). paid_date empty = unpaid. Feeds collected-basis persistency.
PREMIUM_PAYMENTS_SPEC = TableSpec(
    PREMIUM_PAYMENTS,
    (
        C("policy_id", "id", POLICIES_SPEC.column("policy_id").synonyms, required=True),
        C("due_date", "date", ("due date", "due", "premium due date", "instalment due date",
                               "installment due date", "应缴日期", "应交日期", "应缴费日期",
                               "应收日期")),
        C("paid_date", "date", ("paid date", "payment date", "date paid", "received date",
                                "实缴日期", "实交日期", "缴费日期", "实收日期", "到账日期")),
        C("amount", "number", ("amount", "premium amount", "instalment amount",
                               "installment amount", "payment amount", "缴费金额", "实收保费",
                               "应缴保费", "期缴金额"),
          nonnegative=True),
    ),
    id_column=None,
    sheet_names=("premium_payments", "payments", "premium payments", "缴费记录", "缴费明细",
                 "收费记录", "实收保费"),
)

del C

TABLE_SPECS: dict[str, TableSpec] = {
    s.name: s for s in (MEMBERS_SPEC, POLICIES_SPEC, BENEFIT_USAGE_SPEC, SERVICE_CONTACTS_SPEC,
                        CLAIMS_SPEC, PREMIUM_PAYMENTS_SPEC)
}

# --- vocabularies -------------------------------------------------------------------------

POLICY_STATUSES: tuple[str, ...] = ("in_force", "lapsed", "surrendered", "death", "matured",
                                    "other", "waived")
STATUS_SYNONYMS: dict[str, tuple[str, ...]] = {
    "in_force": ("in_force", "in force", "inforce", "active", "a", "if", "current", "valid",
                 "premium paying", "paid up", "有效", "生效", "正常", "在保", "缴费有效"),
    "lapsed": ("lapsed", "lapse", "l", "lapsed policy", "terminated for non payment",
               "失效", "中止", "停效", "断缴"),
    "surrendered": ("surrendered", "surrender", "s", "cash surrender", "cancelled",
                    "canceled", "退保", "解约", "撤保"),
    "death": ("death", "dead", "died", "deceased", "d", "death claim", "身故", "死亡", "身故理赔"),
    "matured": ("matured", "maturity", "mature", "expired", "m", "满期", "期满", "到期"),
    "other": ("other", "others", "o", "其他", "其它", "犹豫期撤单", "撤单", "free look"),
    # premium waiver (豁免/免缴): the policy stays in force, its premiums are waived; excluded
    # from the persistency cohort. With an end date it is read as a waiver ending the premium
    # obligation on that date (not a voluntary exit).
    "waived": ("waived", "waiver", "premium waived", "premium waiver", "免缴", "豁免",
               "保费豁免", "豁免保费", "免交"),
}
VOLUNTARY_EXIT_STATUSES: tuple[str, ...] = ("lapsed", "surrendered")
CLAIM_STATUSES: tuple[str, ...] = ("paid", "declined", "open")
CLAIM_STATUS_SYNONYMS: dict[str, tuple[str, ...]] = {
    "paid": ("paid", "settled", "approved", "closed paid", "已赔付", "赔付", "已结案", "结案"),
    "declined": ("declined", "rejected", "denied", "拒赔", "拒付", "已拒赔"),
    "open": ("open", "pending", "in progress", "reported", "未结案", "处理中", "审核中", "待处理"),
}
HANDLED_BY_SYNONYMS: dict[str, tuple[str, ...]] = {
    "bot": ("bot", "robot", "ai", "chatbot", "virtual agent", "智能客服", "机器人"),
    "human": ("human", "agent", "person", "staff", "人工", "人工客服", "坐席"),
}
TRUE_WORDS: tuple[str, ...] = ("1", "y", "yes", "true", "t", "是", "对", "已", "1.0")
FALSE_WORDS: tuple[str, ...] = ("0", "n", "no", "false", "f", "否", "不", "未", "0.0")

# --- validation reason codes (docs/data-contract.md) ----------------------------------------------------

REASON_MISSING_ID = "missing_id"
REASON_DUPLICATE_ID = "duplicate_id"
REASON_MISSING_DATE = "missing_date"
REASON_BAD_DATE = "unparseable_date"
REASON_END_BEFORE_ISSUE = "end_before_issue"
REASON_NEGATIVE_AMOUNT = "negative_amount"
REASON_BAD_NUMBER = "unparseable_number"
REASON_BAD_BOOL = "unparseable_bool"
REASON_UNKNOWN_STATUS = "unknown_status"
REASON_UNKNOWN_MEMBER = "unknown_member"
REASON_UNKNOWN_POLICY = "unknown_policy"
REASON_FUTURE_DATE = "future_date"

REASON_DESCRIPTIONS: dict[str, str] = {
    REASON_MISSING_ID: "The row has no id in a required id column.",
    REASON_DUPLICATE_ID: "The id appears on an earlier row; only the first is kept.",
    REASON_MISSING_DATE: ("A required date is empty: a policy's issue date (with no duration "
                          "given), a terminated policy's end date, or the date of a benefit use, "
                          "service contact or claim."),
    REASON_BAD_DATE: "A date cannot be read in any accepted format.",
    REASON_END_BEFORE_ISSUE: "The end date is before the issue date.",
    REASON_NEGATIVE_AMOUNT: "An amount that must be zero or more is negative.",
    REASON_BAD_NUMBER: "A number cannot be read.",
    REASON_BAD_BOOL: "A yes/no value cannot be read.",
    REASON_UNKNOWN_STATUS: "The status is not one of the known statuses.",
    REASON_UNKNOWN_MEMBER: "The member id is not in the loaded members table.",
    REASON_UNKNOWN_POLICY: "The policy id is not in the loaded policies table.",
    REASON_FUTURE_DATE: "A date lies after today (a typo such as 2099?).",
}

# --- units ------------------------------------------------------------------------------------

DAYS_PER_MONTH = 365.25 / 12
DAYS_PER_YEAR = 365.25

# --- limits and missing values of the input (docs/data-contract.md "Your data") --------------

# Cells that mean "no value" in every column type (compared after trimming, any case); empty
# and whitespace-only cells are missing too. The import wizard shows this list and lets the user
# change it (``normalize.set_missing_tokens``).
MISSING_TOKENS: tuple[str, ...] = ("NA", "N/A", "NaN", "null", "NULL", "None", "-", "—", "#N/A")
MIN_DATE = "1900-01-01"  # dates outside MIN_DATE..MAX_DATE are a usage/data error
# a data date on or before this day is kept but named in a note (reason dates_placeholder): an
# unknown date written as 1900-01-01, Excel's day 0 (1899-12-30/31) or a typo such as 1850
PLACEHOLDER_DATE_LIMIT = "1900-01-01"
MAX_DATE = "2262-04-11"  # the last day datetime64[ns] holds
MAX_FIELD_CHARS = 1 << 20  # a longer cell rejects its row (field_too_long)
MAX_COLUMNS = 16_384  # Excel's own column limit; wider tables are refused
MAX_SHEET_ROWS = 1_048_576  # Excel's row limit; a sheet is read to its last non-empty row

REASON_FIELD_TOO_LONG = "field_too_long"
REASON_SUSPECT_QUOTE = "suspect_quote"
REASON_BAD_TEXT = "bad_text"
REASON_DESCRIPTIONS.update({
    REASON_FIELD_TOO_LONG: "A cell is longer than the field limit (1 MiB of text).",
    REASON_SUSPECT_QUOTE: ("A quote opened in this row closes on a later line, swallowing lines "
                           "that look like whole rows (an export error); the swallowed lines are "
                           "read as their own rows."),
    REASON_BAD_TEXT: "The row holds a NUL byte or text that is not valid in the file's encoding.",
})
