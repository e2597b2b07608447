"""Reason codes with parameters, and the one catalogue that turns them into words.

Analyses never return sentences for a presenter to translate. When a figure cannot be given,
or a result deserves a remark, they return a :class:`Reason`: a code from :data:`CATALOGUE`
with its parameters, e.g. ``Reason("missing_column", table="claims", column="reported_at")``.
The UI, the Excel report and the command line turn it into text in their language with
:meth:`Reason.text` (``"en"`` or ``"zh_CN"``); JSON carries :meth:`Reason.to_json` (the code,
the parameters and the English message).

Parameters named ``table`` are shown as the table's label and ``column``/``columns`` (one id
or several, comma-separated) as the column labels of :mod:`memberdesk.core.labels` in
Chinese; English keeps the column ids, which is what a user sees in the data. An unknown
code is a programming error and raises ``KeyError`` at construction, so a typo fails a test,
not a screen; ``tests/test_catalogues.py`` checks every code has both languages with the same
placeholders.
"""
from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from memberdesk.core import labels

LANGS: tuple[str, ...] = labels.LANGS

# code -> {language: template}. Templates use str.format fields named as the parameters.
CATALOGUE: dict[str, dict[str, str]] = {
    # ---- a table or column the analysis needs is not there -----------------------------------
    "no_table": {"en": "no {table} loaded", "zh_CN": "未加载{table}数据"},
    "no_rows_to_as_of": {"en": "no {table} up to the as-of date", "zh_CN": "统计日前无{table}数据"},
    "missing_column": {"en": "{table} have no {column} column", "zh_CN": "{table}数据无{column}字段"},
    "empty_column": {"en": "{column} is empty in every row of the {table}",
                     "zh_CN": "{table}数据的{column}全部为空"},
    "generic_policies": {"en": "policies have no issue dates (generic survival table)",
                         "zh_CN": "保单无生效日期（通用生存表）"},
    "member_ids_needed": {"en": "member ids are needed on policies and {table}",
                          "zh_CN": "保单和{table}数据都需要会员编号"},
    "member_ids_and_dates_needed": {"en": "policies with member ids and issue dates are needed",
                                    "zh_CN": "需要含会员编号和生效日期的保单数据"},
    "not_available": {"en": "not available", "zh_CN": "暂不可用"},
    "no_complete_month": {"en": "no cohort month is complete at the as-of date",
                          "zh_CN": "统计截止日无完整观察的队列月份"},
    "no_data_at_as_of": {"en": "no data at the as-of date", "zh_CN": "统计日无数据"},
    # ---- a figure with nothing to count in its window ----------------------------------------
    "no_exposure_12m": {"en": "no exposure in the 12 months to the as-of date",
                        "zh_CN": "统计截止日前12个月内无有效保单暴露"},
    "median_not_reached": {"en": "median not reached: more than half the policies are still in "
                                 "force at every duration",
                           "zh_CN": "中位数未达到：各时长仍有过半保单有效"},
    "no_in_force_members": {"en": "no in-force members at the as-of date",
                            "zh_CN": "统计日无有效会员"},
    "no_contacts_12m": {"en": "no service contacts in the 12 months to the as-of date",
                        "zh_CN": "统计截止日前12个月内无服务记录"},
    "no_human_queue_12m": {"en": "no human-queue contacts in the 12 months to the as-of date",
                           "zh_CN": "统计截止日前12个月内无人工排队服务"},
    "no_rated_12m": {"en": "no rated contacts in the 12 months to the as-of date",
                     "zh_CN": "统计截止日前12个月内无满意度评价"},
    "no_claims_settled_12m": {"en": "no claims reported in the 12 months to the as-of date, or "
                                    "fewer than half settled",
                              "zh_CN": "统计截止日前12个月内无报案理赔，或结案不足半数"},
    "no_persistency_cohort": {"en": "no policy reached its {month}th month in the 12 months to "
                                    "the as-of date",
                              "zh_CN": "统计截止日前12个月内无保单届满第{month}个保单月"},
    "too_few_for_hazard_ratio": {"en": "too few exposed policies or events to estimate a hazard "
                                       "ratio",
                                 "zh_CN": "暴露保单或事件过少，无法估计风险比"},
    "fit_failed": {"en": "{model} could not be fitted: {error}", "zh_CN": "{model}模型无法拟合：{error}"},
    # ---- Cox model remarks (memberdesk.analysis.cox) -----------------------------------------
    "few_events_per_coefficient": {
        "en": "only {per:.1f} events per coefficient: estimates may be unstable (rule of thumb: "
              "{rule})",
        "zh_CN": "每个系数仅{per:.1f}个事件：估计可能不稳定（经验法则：{rule}）"},
    "missing_rows_left_out": {"en": "{n} rows with a missing covariate were left out",
                              "zh_CN": "{n}行协变量缺失，未纳入分析"},
    "entry_rejected": {"en": "{n} rows with a missing or negative entry time, or an exit not after "
                             "the entry, were left out (rejected)",
                       "zh_CN": "{n}行进入时间缺失或为负、或退出不晚于进入，未纳入分析（已拒绝）"},
    "out_of_window": {"en": "{n} policies ended on or before the study start (out of window)",
                      "zh_CN": "{n}件保单在研究起始日或之前终止（不在观察窗口内）"},
    "low_variance": {"en": "{columns}: (almost) no variation among the events or among the "
                           "censored rows: near separation, read the estimate with care",
                     "zh_CN": "{columns}：事件组或删失组内（几乎）无差异，接近完全分离，请谨慎解读估计值"},
    "coefficient_may_be_infinite": {
        "en": "{columns}: coefficient may be infinite (the likelihood keeps growing along it: "
              "near separation)",
        "zh_CN": "{columns}：系数可能为无穷大（似然沿该方向持续增大，接近完全分离）"},
    "ph_holds": {"en": "proportional hazards look reasonable ({p})",
                 "zh_CN": "比例风险假设基本成立（{p}）"},
    "ph_violated": {"en": "effect changes over time ({p}): read the hazard ratio as an average",
                    "zh_CN": "效应随时间变化（{p}）：风险比应理解为平均值"},
    # ---- database URLs and connections (memberdesk.core.engine.urls, .connection) -----------
    "engine_no_data": {"en": "no data given", "zh_CN": "未提供数据"},
    "engine_url_alone": {"en": "a database URL is given alone: one of duckdb://, postgresql://, "
                               "spark: or sc:// per command",
                         "zh_CN": "数据库 URL 须单独给出：每条命令只能用一个 duckdb://、postgresql://、"
                                  "spark: 或 sc://"},
    "engine_duckdb_needs_file": {"en": "duckdb:// needs a database file, e.g. "
                                       "duckdb:///data/book.duckdb",
                                 "zh_CN": "duckdb:// 需要指定数据库文件，例如 duckdb:///data/book.duckdb"},
    "engine_not_a_url": {"en": "not a database URL (expected duckdb://PATH, "
                               "postgresql://USER@HOST:PORT/DB, spark:local[N] or sc://HOST:PORT)",
                         "zh_CN": "不是数据库 URL（应为 duckdb://路径、postgresql://用户@主机:端口/数据库、"
                                  "spark:local[N] 或 sc://主机:端口）"},
    "engine_password_in_url": {"en": "a password inside the URL is not accepted (it would be kept "
                                     "in workspaces and logs); set PGPASSWORD or use ~/.pgpass",
                               "zh_CN": "URL 中不能包含密码（否则会保存在工作区和日志中）；"
                                        "请设置 PGPASSWORD 或使用 ~/.pgpass"},
    "engine_postgres_needs_host": {"en": "the PostgreSQL URL needs a host, e.g. "
                                         "postgresql://USER@HOST:5432/DB",
                                   "zh_CN": "PostgreSQL URL 需要主机名，例如 postgresql://用户@主机:5432/数据库"},
    "engine_no_duckdb_file": {"en": "no such DuckDB database file",
                              "zh_CN": "找不到该 DuckDB 数据库文件"},
    "engine_cannot_open": {"en": "cannot open: {detail}", "zh_CN": "无法打开：{detail}"},
    "engine_cannot_connect": {"en": "cannot connect: {detail}", "zh_CN": "无法连接：{detail}"},
    "engine_spark_port": {"en": "the Spark Connect port {port!r} is not a number (sc://HOST:PORT)",
                          "zh_CN": "Spark Connect 端口 {port!r} 不是数字（sc://主机:端口）"},
    "engine_spark_unreachable": {"en": "cannot reach the Spark Connect server at {host}:{port}: "
                                       "{detail}",
                                 "zh_CN": "无法连接 Spark Connect 服务器 {host}:{port}：{detail}"},
    "engine_spark_cannot_start": {"en": "cannot start or reach Spark: {detail}",
                                  "zh_CN": "无法启动或连接 Spark：{detail}"},
    "engine_query_failed": {"en": "{engine} query failed: {detail}",
                            "zh_CN": "{engine} 查询失败：{detail}"},
    # ---- a DuckDB book written by `memberdesk import` (memberdesk.core.engine.book) ----------
    "book_validation_read": {
        "en": "validation read from the book (written by `memberdesk import` on {imported_on}, "
              "same rules, row counts match): not checked again",
        "zh_CN": "校验结果读取自数据库文件（由 `memberdesk import` 于 {imported_on} 写入，规则相同，"
                 "行数一致）：未重新校验"},
    "book_validation_not_used": {
        "en": "the validation stored in the book is not used ({why}): its tables are validated "
              "again",
        "zh_CN": "未使用数据库文件中保存的校验结果（{why}）：其数据表已重新校验"},
    "book_meta_unreadable": {"en": "its metadata is not readable: {error}",
                             "zh_CN": "元数据无法读取：{error}"},
    "book_meta_format": {"en": "another metadata format", "zh_CN": "元数据格式不同"},
    "book_meta_rules": {"en": "written under other validation rules",
                        "zh_CN": "写入时的校验规则不同"},
    "book_meta_tables": {"en": "its tables differ from those written",
                         "zh_CN": "数据表与写入时不同"},
    "book_meta_table": {"en": "the {table} table differs from the one written",
                        "zh_CN": "{table}表与写入时不同"},
    "book_meta_mapping": {"en": "the {table} table's columns are mapped otherwise than when "
                                "written",
                          "zh_CN": "{table}表的字段映射与写入时不同"},
    "book_meta_future_rule": {"en": "validated on {imported_on}, today the future-date rule may "
                                    "differ",
                              "zh_CN": "校验于 {imported_on}，今天的未来日期规则可能不同"},
    "book_meta_uncountable": {"en": "its tables cannot be counted: {error}",
                              "zh_CN": "数据表无法计数：{error}"},
    "book_meta_rows": {"en": "the {table} table holds {have:,} rows, {written:,} were written",
                       "zh_CN": "{table}表现有 {have:,} 行，写入时为 {written:,} 行"},
    "book_meta_rejected": {"en": "its rejected table differs from the one written",
                           "zh_CN": "拒绝行表与写入时不同"},
    "book_meta_counts": {"en": "the {table} counts do not add up",
                         "zh_CN": "{table}的行数合计不一致"},
    # ---- an engine book's experience study that read the rows (memberdesk.analysis.experience)
    "rows_read_basis": {
        "en": "exposures on the {basis} basis are built per policy: the study read the accepted "
              "rows from the {engine} engine (studies by policy year are computed from counts in "
              "the engine)",
        "zh_CN": "{basis}口径的暴露需逐件保单构建：本次研究从{engine}引擎读取了接受的行"
                 "（按保单年度的研究在引擎中由计数计算）"},
    "rows_read_weight": {
        "en": "a study weighted by {columns} needs each policy's weight: the study read the "
              "accepted rows from the {engine} engine",
        "zh_CN": "按{columns}加权的研究需要每件保单的权重：本次研究从{engine}引擎读取了接受的行"},
    "rows_read_study_start": {
        "en": "a study start ({study_start}) cuts policy years per policy: the study read the "
              "accepted rows from the {engine} engine",
        "zh_CN": "研究起始日（{study_start}）需逐件保单切分保单年度：本次研究从{engine}引擎读取了"
                 "接受的行"},
    # a Cox fit on an engine book that read rows (analysis.cox._cell_frame)
    "rows_read_continuous": {
        "en": "{columns}: more than {limit} distinct values (continuous): the fit read the "
              "accepted rows from the {engine} engine (models of categorical or banded "
              "covariates are fitted from cell counts)",
        "zh_CN": "{columns}：不同取值超过 {limit} 个（连续变量）：本次拟合从{engine}引擎读取了接受的行"
                 "（分类或分段协变量的模型由单元计数拟合）"},
    "rows_read_cluster": {
        "en": "robust standard errors by {columns} need each row's cluster: the fit read the "
              "accepted rows from the {engine} engine",
        "zh_CN": "按{columns}计算稳健标准误需要每行的聚类：本次拟合从{engine}引擎读取了接受的行"},
    "rows_read_entry": {
        "en": "delayed entry ({columns}) needs each row's entry time: the fit read the accepted "
              "rows from the {engine} engine",
        "zh_CN": "延迟进入（{columns}）需要每行的进入时间：本次拟合从{engine}引擎读取了接受的行"},
    "rows_read_approximate": {
        "en": "the approximate PH test needs each event row: the fit read the accepted rows "
              "from the {engine} engine",
        "zh_CN": "近似比例风险检验需要每个事件行：本次拟合从{engine}引擎读取了接受的行"},
}

# ---- why a row was rejected on loading (core.validation) or left out of a survival frame -------
# (analysis.entry). code -> {language: (short label, what it means)}; the English meanings are
# the schema's (memberdesk.core.schema.REASON_DESCRIPTIONS), the Chinese are written here.
REJECTIONS: dict[str, dict[str, tuple[str, str]]] = {
    "missing_id": {"en": ("missing id", ""),
                   "zh_CN": ("缺少编号", "必填的编号列为空。")},
    "duplicate_id": {"en": ("duplicate id", ""),
                     "zh_CN": ("编号重复", "该编号已在前面的行出现；只保留第一行。")},
    "missing_date": {"en": ("missing date", ""),
                     "zh_CN": ("缺少日期", "必填日期为空：保单的生效日期（未给出时长时）、已终止保单的终止日期，"
                                       "或权益使用、服务记录、理赔的日期。")},
    "unparseable_date": {"en": ("unreadable date", ""),
                         "zh_CN": ("日期无法识别", "日期不符合任何可接受的格式。")},
    "end_before_issue": {"en": ("end before issue", ""),
                         "zh_CN": ("终止日期早于生效日期", "终止日期早于生效日期（或结案早于报案）。")},
    "negative_amount": {"en": ("negative amount", ""),
                        "zh_CN": ("金额为负", "应为零或正数的金额为负数。")},
    "unparseable_number": {"en": ("unreadable number", ""),
                           "zh_CN": ("数字无法识别", "数值无法读取。")},
    "unparseable_bool": {"en": ("unreadable yes/no", ""),
                         "zh_CN": ("是/否无法识别", "是/否取值无法读取。")},
    "unknown_status": {"en": ("unknown status", ""),
                       "zh_CN": ("状态未知", "状态不属于已知的状态取值。")},
    "unknown_member": {"en": ("unknown member", ""),
                       "zh_CN": ("会员不存在", "会员编号不在已加载的会员数据中。")},
    "unknown_policy": {"en": ("unknown policy", ""),
                       "zh_CN": ("保单不存在", "保单号不在已加载的保单数据中。")},
    "future_date": {"en": ("future date", ""),
                    "zh_CN": ("日期晚于今天", "日期晚于今天（可能是笔误，如2099年？）。")},
    "field_too_long": {"en": ("field too long", ""),
                       "zh_CN": ("字段过长", "单元格超过字段长度上限（1 MiB文本）。")},
    "suspect_quote": {"en": ("suspect quote", ""),
                      "zh_CN": ("引号异常", "本行开启的引号在后面的行才闭合，吞并了看似完整的数据行（导出错误）；"
                                        "被吞并的行按各自的行读取。")},
    "bad_text": {"en": ("bad text", ""),
                 "zh_CN": ("文本无效", "该行含NUL字节或不符合文件编码的文本。")},
    "entry_missing": {"en": ("entry time missing", "The entry time (delayed entry) is empty."),
                      "zh_CN": ("进入时间缺失", "进入时间（延迟进入）为空。")},
    "entry_negative": {"en": ("negative entry time", "The entry time is negative."),
                       "zh_CN": ("进入时间为负", "进入时间为负数。")},
    "exit_not_after_entry": {"en": ("exit not after entry",
                                    "The exit is not after the entry: no time at risk."),
                             "zh_CN": ("退出不晚于进入", "退出时间不晚于进入时间：无风险暴露时间。")},
}


# ---- the detail of one rejected row (core.validation): what exactly is wrong with the cell ------
# Stored per rejected row as a Reason (one shared object for all rows of one check; per row only
# where the parameters differ, e.g. a duplicate id and where it was first seen) and turned into
# words by the presenter: the validation view, the rejected-rows export, ``memberdesk validate``.
ROW_DETAILS: dict[str, dict[str, str]] = {
    "row_not_a_date": {
        "en": "not a date in an accepted format (2021-03-01, 2021/3/1, 20210301, 2021年3月1日, "
              "Excel serial)",
        "zh_CN": "不是可接受格式的日期（2021-03-01、2021/3/1、20210301、2021年3月1日、Excel日期序号）"},
    "row_not_a_number": {"en": "not a number", "zh_CN": "不是数字"},
    "row_not_yes_no": {"en": "not a yes/no value", "zh_CN": "不是是/否取值"},
    "row_not_one_of": {"en": "not one of {values}", "zh_CN": "不属于以下取值之一：{values}"},
    "row_event_date_empty": {"en": "{column} is empty: the row cannot be placed in time",
                             "zh_CN": "{column}为空：无法确定该行发生的时间"},
    "row_value_empty": {"en": "{column} is empty", "zh_CN": "{column}为空"},
    "row_id_seen_before": {"en": "{column} {id} already on {place} row {row}",
                           "zh_CN": "{column}{id}已出现在{place}第{row}行"},
    "row_must_be_nonnegative": {"en": "{column} must be zero or more",
                                "zh_CN": "{column}应为零或正数"},
    "row_after_today": {"en": "after today ({today})", "zh_CN": "晚于今天（{today}）"},
    "row_not_in_table": {"en": "no such {column} in the {table} table",
                         "zh_CN": "已加载的{table}数据中无此{column}"},
    "row_issue_date_empty": {"en": "issue date is empty (and no duration is given)",
                             "zh_CN": "生效日期为空（且未给出持续时间）"},
    "row_terminated_needs_end": {
        "en": "a terminated policy (lapsed/surrendered/death/matured) needs an end date",
        "zh_CN": "已终止保单（失效/退保/身故/满期）须有终止日期"},
    "row_end_before_issue": {"en": "end date is before issue date",
                             "zh_CN": "终止日期早于生效日期"},
    "row_settled_before_reported": {"en": "settled before reported",
                                    "zh_CN": "结案日期早于报案日期"},
    # for the readers' own row flags (core/readers: field_too_long, suspect_quote)
    "row_cell_too_long": {"en": "{chars:,} characters; a cell holds at most {limit:,}",
                          "zh_CN": "{chars:,}个字符；单元格最多{limit:,}个字符"},
    "row_quote_swallows_lines": {
        "en": 'a quote (") opened on line {first_line} closes on line {last_line}, swallowing '
              "{lines} line(s) that look like rows; those are read as their own rows",
        "zh_CN": "第{first_line}行开启的引号（\"）到第{last_line}行才闭合，吞并了{lines}行看似完整的数据行；"
                 "这些行按各自的行读取"},
}
CATALOGUE.update(ROW_DETAILS)
# what validation says about a whole table (core.validation), as a Note on the table
CATALOGUE.update({
    "dates_placeholder": {
        "en": "accepted rows with {column} on or before {limit}: {n} (the earliest {earliest}), "
              "often a placeholder for an unknown date (Excel's day 0 reads 1899-12-30 or "
              "1899-12-31): they are kept as they are; check them",
        "zh_CN": "{n}行已接受数据的{column}不晚于{limit}（最早为{earliest}），常为未知日期的占位值"
                 "（Excel的第0天读作1899-12-30或1899-12-31）：这些行按原样保留，请核查"},
    "policies_no_status_column": {
        "en": "the policies have no status column: status set to in_force when there is no end "
              "date, else lapsed",
        "zh_CN": "保单数据无状态字段：无终止日期的保单状态设为有效（in_force），否则设为失效（lapsed）"},
    "policies_status_inferred": {
        "en": "{n} policies have an empty status: status set to in_force when there is no end "
              "date, else lapsed",
        "zh_CN": "{n}件保单状态为空：无终止日期的设为有效（in_force），否则设为失效（lapsed）"},
    "claims_status_inferred": {
        "en": "{n} claims have no status: set to open when not settled, else paid when an amount "
              "was paid, else declined",
        "zh_CN": "{n}件理赔无状态：未结案的设为未结案（open），已结案且有赔付金额的设为已赔付（paid），"
                 "否则设为拒赔（declined）"},
    "extra_column_not_numbers": {
        "en": "column {name!r} is read as numbers: {count:,} cell(s) that are not numbers are "
              "left empty (first: {first})",
        "zh_CN": "列{name!r}按数字读取：{count:,}个非数字单元格留空（前几个：{first}）"},
})

# ``memberdesk validate``'s plain-text listing around the codes above
CATALOGUE.update({
    "listing_as_of": {"en": "As of {date}", "zh_CN": "统计截止日：{date}"},
    "listing_messages": {"en": "Messages:", "zh_CN": "提示信息："},
    "listing_first_rejected": {"en": "First rejected rows:", "zh_CN": "前几行被拒绝的数据："},
    "listing_rejected_row": {
        "en": "{place} row {row}, column {column_name!r}: {reason} (value {value!r}) {detail}",
        "zh_CN": "{place}第{row}行，列{column_name!r}：{reason}（取值{value!r}）{detail}"},
    # a database row has no row number (an engine book's rejected sample)
    "listing_rejected_cell": {
        "en": "{place}, column {column_name!r}: {reason} (value {value!r}) {detail}",
        "zh_CN": "{place}，列{column_name!r}：{reason}（取值{value!r}）{detail}"},
    "listing_written": {"en": "Rejected rows written to {path}", "zh_CN": "被拒绝的行已写入{path}"},
})

# ---- what reading and identifying files says (core.readers, core.identify, core.loader) --------
# Shown as a :class:`Note` (a message about a file or sheet) or as a DataError's message.
FILE_MESSAGES: dict[str, dict[str, str]] = {
    "file_skipped_hidden": {"en": "skipped (hidden or temporary file)",
                            "zh_CN": "已跳过（隐藏文件或临时文件）"},
    "file_skipped_folder": {"en": "skipped (a folder)", "zh_CN": "已跳过（是文件夹）"},
    "file_skipped_special": {"en": "skipped (not a regular file: a pipe, device or broken link)",
                             "zh_CN": "已跳过（不是普通文件：管道、设备或失效链接）"},
    "file_skipped_unfollowable": {"en": "skipped (cannot be followed: {error})",
                                  "zh_CN": "已跳过（无法访问：{error}）"},
    "file_skipped_not_data": {"en": "skipped (not a data file; data files are {suffixes})",
                              "zh_CN": "已跳过（不是数据文件；数据文件为 {suffixes}）"},
    "file_skipped_unreadable": {"en": "skipped (cannot be read: permission denied)",
                                "zh_CN": "已跳过（无法读取：没有权限）"},
    "folder_no_data_files": {"en": "the folder holds no data files ({suffixes})",
                             "zh_CN": "文件夹中没有数据文件（{suffixes}）"},
    "path_not_found": {"en": "no such file or folder", "zh_CN": "找不到该文件或文件夹"},
    "file_not_found": {"en": "no such file", "zh_CN": "找不到该文件"},
    "file_cannot_open": {"en": "cannot open the file ({error})", "zh_CN": "无法打开文件（{error}）"},
    "file_empty": {"en": "the file is empty", "zh_CN": "文件为空"},
    "file_not_valid_kind": {
        "en": "not a valid {suffix} file (its content is not a workbook/Parquet file)",
        "zh_CN": "不是有效的{suffix}文件（内容不是工作簿或Parquet文件）"},
    "file_too_many_columns": {"en": "the file has {n:,} columns; at most {limit:,} are read",
                              "zh_CN": "文件有{n:,}列；最多读取{limit:,}列"},
    "file_no_columns": {"en": "the file has no columns", "zh_CN": "文件没有列"},
    "file_no_data_rows": {"en": "the file has a header row but no data rows",
                          "zh_CN": "文件只有表头行，没有数据行"},
    "no_file_read": {"en": "no file could be read ({why})", "zh_CN": "没有可读取的文件（{why}）"},
    "title_rows_skipped": {
        "en": "header found on row {row}; the row(s) above it were read as a title and skipped: "
              "{titles}",
        "zh_CN": "表头位于第{row}行；其上方的行视为标题，已跳过：{titles}"},
    "duplicate_headers": {
        "en": "duplicated header(s) {listed}: the first is used, the others are kept as extra "
              "columns named 'NAME (2)'",
        "zh_CN": "表头重复：{listed}；使用第一个，其余作为附加列保留，命名为“名称 (2)”"},
    "quote_never_closed": {
        "en": 'a quote (") opened in this row is never closed, so every line after it would be '
              "read into one cell; close or remove the quote",
        "zh_CN": "本行开启的引号（\"）始终未闭合，其后的所有行都会被读入同一个单元格；请闭合或删除该引号"},
    "lines_and_rows_read": {
        "en": "{lines:,} lines after the header, {rows:,} rows read: {blank:,} blank line(s) "
              "skipped, {breaks:,} line break(s) inside quoted cells",
        "zh_CN": "表头后共{lines:,}行，读取{rows:,}行：跳过{blank:,}个空行，引号内换行{breaks:,}处"},
    "workbook_encrypted": {
        "en": "the workbook is password-protected (encrypted); save a copy without the password "
              "(File > Info > Protect Workbook) and read that",
        "zh_CN": "工作簿有密码保护（已加密）；请另存一份不带密码的副本（文件 > 信息 > 保护工作簿）后再读取"},
    "workbook_cannot_open": {"en": "cannot open the workbook ({error})",
                             "zh_CN": "无法打开工作簿（{error}）"},
    "workbook_no_table": {"en": "no sheet of the workbook holds a table ({why})",
                          "zh_CN": "工作簿中没有任何工作表含有数据表（{why}）"},
    "workbook_no_sheets": {"en": "it has no sheets", "zh_CN": "工作簿没有工作表"},
    "workbook_damaged": {"en": "the workbook is damaged ({error})", "zh_CN": "工作簿已损坏（{error}）"},
    "hidden_sheets_read": {"en": "hidden sheet(s) {names} read as data (hidden sheets included)",
                           "zh_CN": "隐藏工作表{names}已作为数据读取（已包含隐藏工作表）"},
    "hidden_sheets_skipped": {"en": "hidden sheet(s) {names} skipped; include hidden sheets to "
                                    "read them",
                              "zh_CN": "已跳过隐藏工作表{names}；如需读取，请选择包含隐藏工作表"},
    "merged_ranges_filled": {"en": "{n} merged range(s) filled with their value ({ranges})",
                             "zh_CN": "{n}个合并单元格区域已用其值填充（{ranges}）"},
    "error_cells_read": {
        "en": "{n} error cell(s) read as their error text, so a number or date column rejects "
              "the row (first: {cells})",
        "zh_CN": "{n}个错误值单元格按其错误文本读取，数字或日期列将拒绝该行（前几个：{cells}）"},
    "formulas_without_value": {
        "en": "{n} formula cell(s) have no saved value and read as empty (first: {cells}); open "
              "and save the workbook in Excel to store their values",
        "zh_CN": "{n}个公式单元格没有保存的值，按空值读取（前几个：{cells}）；请在Excel中打开并保存工作簿以存储其值"},
    "sheet_empty": {"en": "the sheet is empty", "zh_CN": "工作表为空"},
    "sheet_no_data_rows": {"en": "the sheet has a header row but no data rows",
                           "zh_CN": "工作表只有表头行，没有数据行"},
    "sheet_too_many_columns": {"en": "the sheet has more than {limit:,} columns",
                               "zh_CN": "工作表超过{limit:,}列"},
    "parquet_unreadable": {"en": "cannot read the Parquet file ({error})",
                           "zh_CN": "无法读取Parquet文件（{error}）"},
    "table_not_identified": {
        "en": "no recognisable columns (headers: {headers}); expected e.g. policy_id/保单号, "
              "issue_date/生效日期, member_id/会员号",
        "zh_CN": "未识别出任何字段（表头：{headers}）；应含有如 policy_id/保单号、issue_date/生效日期、"
                 "member_id/会员号 等字段"},
    "table_not_identified_skipped": {
        "en": "no recognisable columns (headers: {headers}); expected e.g. policy_id/保单号, "
              "issue_date/生效日期, member_id/会员号; skipped",
        "zh_CN": "未识别出任何字段（表头：{headers}）；应含有如 policy_id/保单号、issue_date/生效日期、"
                 "member_id/会员号 等字段；已跳过"},
    "headers_name_same_column": {
        "en": "headers {used!r} and {other!r} both name the {column} column; {used!r} is used, "
              "{other!r} is kept as an extra column",
        "zh_CN": "表头{used!r}和{other!r}都对应{column}字段；使用{used!r}，{other!r}作为附加列保留"},
    "read_as_generic": {"en": "no issue date but duration and event columns: read as generic "
                              "survival data",
                        "zh_CN": "无生效日期，但有时长和事件列：按通用生存数据读取"},
    "table_lacks_id_skipped": {"en": "the {table} table has no {id_column} column ({synonyms}); "
                                     "table skipped",
                               "zh_CN": "{table}数据没有{id_column}列（{synonyms}）；已跳过该表"},
    "policies_lack_id": {"en": "the policies table has no {id_column} column ({synonyms})",
                         "zh_CN": "保单数据没有{id_column}列（{synonyms}）"},
    "policies_lack_dates": {"en": "the policies table has no issue_date column (生效日期) and no "
                                  "duration column",
                            "zh_CN": "保单数据既没有生效日期（issue_date）列，也没有持续时间（duration）列"},
    "no_policies_table": {
        "en": "no policies table found (found: {found}); a policies file needs at least a policy "
              "id (保单号) and an issue date (生效日期) or a duration",
        "zh_CN": "未找到保单数据（已找到：{found}）；保单文件至少需要保单号（policy id）和生效日期"
                 "（issue date）或持续时间（duration）"},
    "generic_needs_both": {"en": "generic survival data needs both a duration and an event column",
                           "zh_CN": "通用生存数据需要同时有时长列和事件列"},
    "generic_no_table": {"en": "no table has both columns {duration!r} and {event!r} ({headers})",
                         "zh_CN": "没有任何数据表同时含有{duration!r}列和{event!r}列（{headers}）"},
}
CATALOGUE.update(FILE_MESSAGES)
# ---- what reading a text file's encoding says (core.text_encoding) -----------------------------
CATALOGUE.update({
    "encoding_utf16_without_bom": {"en": "read as {encoding} (UTF-16 without a byte-order mark)",
                                   "zh_CN": "按{encoding}读取（不带字节顺序标记的UTF-16）"},
    "encoding_read_as_cp1252": {
        "en": "not UTF-8 and not Chinese text: read as Windows-1252 (Western European); choose "
              "another encoding with --encoding if the accents look wrong",
        "zh_CN": "既不是UTF-8也不是中文文本：按Windows-1252（西欧）读取；"
                 "如重音字母显示有误，请用--encoding选择其他编码"},
    "encoding_invalid_bytes": {"en": "the file is not valid {encoding} text (byte {byte}); choose "
                                     "another encoding",
                               "zh_CN": "文件不是有效的{encoding}文本（第{byte}字节）；请选择其他编码"},
    "encoding_nul_character": {"en": "the line holds a NUL character; remove it or choose another "
                                     "encoding",
                               "zh_CN": "该行含有NUL字符；请删除它或选择其他编码"},
    "encoding_utf8_then_not": {
        "en": "the file starts as UTF-8 but this line is not valid UTF-8 (mixed text encodings); "
              "choose the encoding with --encoding",
        "zh_CN": "文件开头是UTF-8，但该行不是有效的UTF-8（混用了多种文本编码）；请用--encoding选择编码"},
    "encoding_binary": {"en": "binary content, not a text table (CSV/TSV/TXT)",
                        "zh_CN": "二进制内容，不是文本表格（CSV/TSV/TXT）"},
    "encoding_nul_byte": {
        "en": "the line holds a NUL byte (\\0), which no text table contains: the file is refused; "
              "remove the byte or re-export the file",
        "zh_CN": "该行含有NUL字节（\\0），文本表格不会含有此字节：文件被拒绝；请删除该字节或重新导出文件"},
    "encoding_mixed": {
        "en": "the file mixes text encodings: it holds UTF-8 lines and this line is not UTF-8; "
              "re-export it in one encoding or choose one with --encoding",
        "zh_CN": "文件混用了多种文本编码：含有UTF-8行，而该行不是UTF-8；请以单一编码重新导出，或用--encoding选择编码"},
    "encoding_unknown_gb_unlikely": {
        "en": "cannot tell the text encoding: this line is not UTF-8 and GB18030 gives unlikely "
              "characters (tried {tried}); choose the encoding with --encoding",
        "zh_CN": "无法判断文本编码：该行不是UTF-8，按GB18030解码得到的字符也不合常理（已尝试{tried}）；"
                 "请用--encoding选择编码"},
    "encoding_unknown_gb_invalid": {
        "en": "cannot tell the text encoding: this line is not UTF-8 and not valid GB18030 either "
              "(tried {tried}); choose the encoding with --encoding",
        "zh_CN": "无法判断文本编码：该行既不是UTF-8，也不是有效的GB18030（已尝试{tried}）；请用--encoding选择编码"},
})

# ---- why an analysis has nothing to run on (AnalysisError(Reason(...))) ---------------------------
CATALOGUE.update({
    "no_policies": {"en": "no policies to analyse (the policies table is empty or missing)",
                    "zh_CN": "无可分析的保单（保单表为空或缺失）"},
    "no_policies_as_of": {
        "en": "no policies to analyse as of {as_of}: every policy was issued after --as-of "
              "{as_of}, or the policies table is empty or missing",
        "zh_CN": "截至{as_of}无可分析的保单：所有保单均在统计日（--as-of {as_of}）之后生效，"
                 "或保单表为空或缺失"},
})


# ---- why one side of a comparison has no figures (analysis.compare, issue 17 C.18) -------------
# A CompareNote reads "<side>: {section}: {why}" (compare_note_current / _reference): the section
# is a compare_section_* word, the why one of the compare_* causes below (or another reason).
CATALOGUE.update({
    "compare_note_current": {"en": "current: {section}: {why}", "zh_CN": "当前·{section}：{why}"},
    "compare_note_reference": {"en": "reference: {section}: {why}",
                               "zh_CN": "对比基准·{section}：{why}"},
    "compare_section_kpis": {"en": "KPIs", "zh_CN": "关键指标"},
    "compare_section_retention": {"en": "retention", "zh_CN": "留存"},
    "compare_section_persistency": {"en": "persistency", "zh_CN": "继续率"},
    "compare_no_policies": {
        "en": "no policies to analyse (none issued by its as-of date {as_of} under its filters)",
        "zh_CN": "无可分析的保单（截至其统计日{as_of}、在其筛选条件下无已生效保单）"},
    "compare_no_persistency_cohort": {
        "en": "no policy reached its {month}th month by its as-of date {as_of}",
        "zh_CN": "截至其统计日{as_of}无保单届满第{month}个保单月"},
    "compare_failed": {"en": "could not be computed: {error}", "zh_CN": "无法计算：{error}"},
})


def rejection_label(code: str, lang: str = "en") -> str:
    """Short name of a rejection reason in ``lang``; English keeps the code (what the exported
    rows and the command line carry); an unknown code unchanged."""
    entry = REJECTIONS.get(str(code))
    if entry is None or lang == "en":
        return str(code)
    return (entry.get(lang) or entry["en"])[0]


def rejection_meaning(code: str, lang: str = "en") -> str:
    """What a rejection reason means, in ``lang`` ("" for an unknown code)."""
    from memberdesk.core import schema

    entry = REJECTIONS.get(str(code))
    if entry is None:
        return schema.REASON_DESCRIPTIONS.get(str(code), "")
    if lang == "en" or lang not in entry:
        return schema.REASON_DESCRIPTIONS.get(str(code), "") or entry["en"][1]
    return entry[lang][1]


_TABLE_PARAMS = ("table",)
_COLUMN_PARAMS = ("column", "columns")
# an experience study's basis (``policy_quarter``, ``calendar_year``, ``split``) in words; English
# keeps the id, as the command line spells it
_BASIS_KIND = {"zh_CN": {"policy": "保单", "calendar": "日历"}}
_BASIS_PERIOD = {"zh_CN": {"year": "年度", "quarter": "季度", "month": "月度", "week": "周"}}
_BASIS_OTHER = {"zh_CN": {"split": "拆分（日历年度按保单年度）"}}
# words the analyses put where a column is named (a Cox fit's delayed entry from the study start,
# analysis.cox._cell_frame), in words; English keeps them as written
_COLUMN_WORDS = {"zh_CN": {"study start": "研究起始日"}}


class Reason:
    """A reason code with parameters (immutable, hashable, comparable).

    ``Reason("missing_column", table="claims", column="reported_at")``; ``params`` is a tuple of
    ``(name, value)`` pairs, so ``dict(reason.params)`` gives them back.
    """

    __slots__ = ("code", "params")
    code: str
    params: tuple[tuple[str, Any], ...]

    def __init__(self, code: str, **params: Any) -> None:
        if code not in CATALOGUE:
            raise KeyError(f"unknown reason code {code!r}; add it to memberdesk/core/reasons.py")
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "params", tuple(sorted(params.items())))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Reason is immutable")

    def __reduce__(self) -> tuple[Any, ...]:  # pickle and copy through the constructor
        return (_reason, (self.code, dict(self.params)))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Reason) and (self.code, self.params) == (other.code, other.params)

    def __hash__(self) -> int:
        return hash((self.code, tuple((k, str(v)) for k, v in self.params)))

    def __repr__(self) -> str:
        args = "".join(f", {k}={v!r}" for k, v in self.params)
        return f"Reason({self.code!r}{args})"

    def __str__(self) -> str:
        return self.text("en")

    def text(self, lang: str = "en") -> str:
        """The reason in ``lang`` (``"en"`` or ``"zh_CN"``; anything else reads English)."""
        template = CATALOGUE[self.code].get(lang) or CATALOGUE[self.code]["en"]
        return template.format(**_shown(dict(self.params), lang))

    def to_json(self) -> dict[str, Any]:
        """``{"code": ..., <params>..., "message": English text}``."""
        return {"code": self.code, **{k: _plain(v) for k, v in self.params}, "message": self.text("en")}


def reason_text(reason: Reason | str | None, lang: str = "en") -> str:
    """Text of a reason for a presenter: a :class:`Reason` or :class:`Note` in ``lang``;
    None -> ""; a plain string (an exception message) unchanged."""
    if reason is None:
        return ""
    if isinstance(reason, (Reason, Note)):
        return reason.text(lang)
    return str(reason)


class Note(str):
    """A message about a file or sheet (core.readers, core.identify, core.loader): a Reason with
    the place it is about.

    It *is* its English text (``"policies.csv [Sheet1]: the sheet is empty"``), so logs, JSON and
    code that only reads text keep working; a presenter shows it in its language with
    :meth:`text` or :func:`reason_text`. Immutable; pickles and copies as itself.
    """

    reason: Reason
    where: str

    def __new__(cls, reason: Reason, where: str = "") -> Note:
        english = reason.text("en")
        note = super().__new__(cls, f"{where}: {english}" if where else english)
        note.reason = reason
        note.where = where
        return note

    def text(self, lang: str = "en") -> str:
        """The message in ``lang``: the place (a path, untranslated) and the reason's words."""
        body = self.reason.text(lang)
        if not self.where:
            return body
        return f"{self.where}{'：' if lang == 'zh_CN' else ': '}{body}"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_note, (self.reason.code, dict(self.reason.params), self.where))

    def to_record(self) -> dict[str, Any]:
        """``{"code", "params", "where"}`` with JSON-plain parameters, for storing the note
        (:func:`note_from_record` reads it back in either language)."""
        return {"code": self.reason.code, "params": {k: _plain(v) for k, v in self.reason.params},
                "where": self.where}

    def __copy__(self) -> Note:
        return self

    def __deepcopy__(self, memo: object) -> Note:
        return self


def _reason(code: str, params: dict[str, Any]) -> Reason:
    return Reason(code, **params)


def _note(code: str, params: dict[str, Any], where: str) -> Note:
    return Note(Reason(code, **params), where)


def note_from_record(record: Mapping[str, Any]) -> Note:
    """:meth:`Note.to_record` read back; ``KeyError`` for a code the catalogue no longer has."""
    return _note(str(record["code"]), dict(record.get("params") or {}),
                 str(record.get("where") or ""))


def error_text(exc: BaseException, lang: str = "en") -> str:
    """An error as a presenter shows it in ``lang``: a DataError whose message is a
    :class:`Note` reads ``where: words`` in that language, an AnalysisError with a reason code
    its words and the column at fault in that language; any other error ``str(exc)``."""
    from memberdesk.core.errors import AnalysisError, DataError

    if isinstance(exc, AnalysisError) and exc.reason is not None:
        if exc.column is None:
            return exc.text(lang)
        return exc.text(lang) + (f"（列“{exc.column}”）" if lang == "zh_CN"
                                 else f" (column {exc.column!r})")
    if not isinstance(exc, DataError) or not isinstance(exc.message, Note):
        return str(exc)
    body = exc.message.text(lang)
    if lang != "zh_CN":
        where = exc.location()
        return f"{where}: {body}" if where else body
    parts = [str(exc.file)] if exc.file else []
    parts += [f"工作表“{exc.sheet}”"] if exc.sheet else []
    parts += [f"第{exc.row}行"] if exc.row is not None else []
    parts += [f"列“{exc.column}”"] if exc.column else []
    return f"{'，'.join(parts)}：{body}" if parts else body


def placeholders(template: str) -> set[str]:
    """The field names of a template (for the catalogue test)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _shown(params: Mapping[str, Any], lang: str) -> dict[str, Any]:
    # a parameter that is itself a reason (book_validation_not_used's why) reads in ``lang`` too
    out = {k: v.text(lang) if isinstance(v, Reason) else v for k, v in params.items()}
    for key in _TABLE_PARAMS:
        if key in out:
            out[key] = labels.table_label(str(out[key]), lang)
    if lang != "en":
        for key in _COLUMN_PARAMS:
            if key in out:
                ids = [c.strip() for c in str(out[key]).split(",")]
                words = _COLUMN_WORDS.get(lang, {})
                out[key] = "、".join(words.get(c) or labels.column_label(c, lang) for c in ids)
        if "basis" in out:
            out["basis"] = _basis_words(str(out["basis"]), lang)
    return out


def _basis_words(basis: str, lang: str) -> str:
    """``policy_quarter`` -> 保单季度 (an unknown basis or language: the id unchanged)."""
    kind, _, period = basis.partition("_")
    words = _BASIS_OTHER.get(lang, {}).get(basis)
    if words is None and kind in _BASIS_KIND.get(lang, {}) and period in _BASIS_PERIOD.get(lang, {}):
        words = _BASIS_KIND[lang][kind] + _BASIS_PERIOD[lang][period]
    return basis if words is None else words


def _plain(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


# ---- why an analysis cannot be computed (AnalysisError(Reason)) ----
# The English is the sentence each analysis raised before it had a code (tests and users' scripts
# match it); a column or group name passes through as the parameter it is (``column`` is shown
# by its label in Chinese), numbers as numbers.
CATALOGUE.update({
    # survival frames (analysis.frames, analysis.survival, analysis.competing, engine.generic)
    "frame_needs_column": {"en": "the table needs a {column} column",
                           "zh_CN": "数据表需要{column}列"},
    "frame_needs_duration_and_event": {"en": "the table needs a duration and event column",
                                       "zh_CN": "数据表需要时长列和事件列"},
    "frame_no_records": {"en": "no records to analyse", "zh_CN": "无可分析的记录"},
    "frame_unknown_column": {"en": "unknown column {column!r}; available: {columns}",
                             "zh_CN": "未知字段“{column}”；可用字段：{columns}"},
    "frame_durations_missing": {"en": "{n} durations are missing or not numbers",
                                "zh_CN": "{n}个时长缺失或不是数字"},
    "frame_events_missing": {"en": "some events are missing", "zh_CN": "部分行的事件缺失"},
    "segment_all_missing": {"en": "every row has a missing {column!r}",
                            "zh_CN": "所有行的“{column}”均缺失"},
    "segment_too_many": {"en": "{column!r} has {n} distinct values; at most {limit} segments can "
                               "be compared (band the column first)",
                         "zh_CN": "“{column}”有{n}个不同取值；最多只能比较{limit}个分组（请先对该字段分段）"},
    # Kaplan-Meier and Nelson-Aalen (analysis.km)
    "km_events_unreadable": {"en": "events must be 0/1 or true/false",
                             "zh_CN": "事件须为 0/1 或 true/false"},
    "km_durations_missing": {"en": "{n} durations are missing", "zh_CN": "{n}个时长缺失"},
    "km_durations_not_finite": {"en": "durations must be finite", "zh_CN": "时长须为有限数值"},
    "km_durations_negative": {"en": "{n} durations are negative", "zh_CN": "{n}个时长为负数"},
    "km_events_not_binary": {"en": "events must be 0/1 (or true/false) with no missing values",
                             "zh_CN": "事件须为 0/1（或 true/false），且不能缺失"},
    "km_entry_invalid": {"en": "entry times must be finite and >= 0",
                         "zh_CN": "进入时间须为有限数值且不小于 0"},
    "km_exit_not_after_entry": {"en": "{n} records end at or before their entry time",
                                "zh_CN": "{n}条记录的退出时间不晚于其进入时间"},
    "km_no_records": {"en": "no records to estimate survival for {name!r}",
                      "zh_CN": "“{name}”无可用于估计生存率的记录"},
    "km_no_records_hazard": {"en": "no records to estimate the hazard for {name!r}",
                             "zh_CN": "“{name}”无可用于估计风险的记录"},
    # delayed entry and the study start (analysis.entry)
    "entry_none": {"en": "no entry column and no study start",
                   "zh_CN": "既无进入时间列，也无研究起始日"},
    "entry_study_start_generic": {"en": "a study start needs policy dates; for a generic table "
                                        "give the entry durations with --entry COL",
                                  "zh_CN": "研究起始日需要保单日期；通用生存表请用 --entry COL 给出进入时长"},
    "entry_study_start_after_as_of": {"en": "the study start {study_start} must be before the "
                                            "as-of date {as_of}",
                                      "zh_CN": "研究起始日{study_start}须早于统计日{as_of}"},
    "entry_all_rejected": {"en": "every row was rejected for its entry time ({listed})",
                           "zh_CN": "所有行均因进入时间被拒绝（{listed}）"},
    # log-rank, RMST, Gray's test, life table (analysis.logrank, gray_test, lifetable)
    "logrank_one_group": {"en": "the log-rank test needs at least two groups",
                          "zh_CN": "对数秩检验至少需要两个分组"},
    "logrank_groups_found": {"en": "the log-rank test needs at least two groups; found {n}",
                             "zh_CN": "对数秩检验至少需要两个分组；实际只有{n}个"},
    "logrank_no_events": {"en": "no events: the groups cannot be compared",
                          "zh_CN": "无事件：各分组无法比较"},
    "logrank_pairwise_groups_found": {"en": "pairwise comparison needs at least two groups; "
                                            "found {n}",
                                      "zh_CN": "两两比较至少需要两个分组；实际只有{n}个"},
    "logrank_unknown_reference": {"en": "reference group {name!r} is not one of {groups}",
                                  "zh_CN": "参照组“{name}”不是以下分组之一：{groups}"},
    "rmst_horizon_not_positive": {"en": "the RMST horizon must be positive",
                                  "zh_CN": "限制平均生存时间的期限须为正数"},
    "gray_one_group": {"en": "Gray's test needs at least two groups",
                       "zh_CN": "Gray 检验至少需要两个分组"},
    "lifetable_bad_breaks": {"en": "life-table breaks must be finite numbers >= 0",
                             "zh_CN": "生命表的区间分点须为不小于 0 的有限数值"},
    "lifetable_no_records": {"en": "no records for the life table of {name!r}",
                             "zh_CN": "“{name}”无可用于生命表的记录"},
    "lifetable_study_start": {"en": "the life-table method does not take a study start (delayed "
                                    "entry); use the Kaplan-Meier tables",
                              "zh_CN": "生命表法不支持研究起始日（延迟进入）；请使用 Kaplan-Meier 生存表"},
    # grouping the smaller segments into "Other" (analysis.segment_pooling)
    "pooling_needs_records": {"en": "pooling segments under delayed entry needs the records (data)",
                              "zh_CN": "延迟进入下合并分组需要原始记录（数据）"},
    "pooling_no_curves": {"en": "no curves to pool", "zh_CN": "无可合并的曲线"},
    "pooling_no_records": {"en": "the pooled groups have no records",
                           "zh_CN": "合并的分组没有记录"},
    # the Cox model (analysis.cox, cox_design, cox_engine, cox_checks, cox_zph)
    "cox_no_covariate": {"en": "name at least one covariate", "zh_CN": "请至少选择一个协变量"},
    "cox_covariate_twice": {"en": "covariate {column!r} is listed twice",
                            "zh_CN": "协变量“{column}”重复选择了两次"},
    "cox_covariate_and_stratum": {"en": "{column!r} is both a covariate and a stratum: choose one",
                                  "zh_CN": "“{column}”同时被选为协变量和分层变量：请只选其一"},
    "cox_too_few_events": {"en": "too few events to fit a Cox model: {events} events for "
                                 "{coefficients} coefficients (need at least {min_events} and "
                                 "{per_coefficient} per coefficient)",
                           "zh_CN": "事件过少，无法拟合 Cox 模型：{coefficients}个系数仅有{events}个事件"
                                    "（至少需要{min_events}个事件，且每个系数{per_coefficient}个）"},
    "cox_covariate_date": {"en": "covariate {column!r} is a date; use a number derived from it "
                                 "(e.g. issue year) instead",
                           "zh_CN": "协变量“{column}”是日期；请改用由它得出的数值（如生效年份）"},
    "cox_covariate_type": {"en": "covariate {column!r} is neither numeric nor categorical "
                                 "(type {dtype})",
                           "zh_CN": "协变量“{column}”既不是数值型也不是分类型（类型 {dtype}）"},
    "cox_covariate_single_value": {"en": "covariate {column!r} has a single value ({value!r}): it "
                                         "cannot explain differences",
                                   "zh_CN": "协变量“{column}”只有一个取值（“{value}”）：无法解释差异"},
    "cox_covariate_no_value": {"en": "covariate {column!r} has a single value: it cannot explain "
                                     "differences",
                               "zh_CN": "协变量“{column}”只有一个取值：无法解释差异"},
    "cox_covariate_too_many_levels": {"en": "covariate {column!r} has {n} distinct values; at "
                                            "most {limit} levels (is it an identifier?)",
                                      "zh_CN": "协变量“{column}”有{n}个不同取值；最多{limit}个水平"
                                               "（它是否为编号？）"},
    "cox_covariate_constant": {"en": "covariate {column!r} has the same value in every row: it "
                                     "cannot explain differences",
                               "zh_CN": "协变量“{column}”在所有行取值相同：无法解释差异"},
    "cox_level_constant": {"en": "covariate {name!r} is never (or always) present in the rows "
                                 "used: it cannot explain differences",
                           "zh_CN": "协变量“{name}”在所用的行中从未（或总是）出现：无法解释差异"},
    "cox_collinear": {"en": "covariates are collinear: {name!r} is determined by {partners}; drop "
                            "one of them",
                      "zh_CN": "协变量共线：“{name}”由{partners}决定；请去掉其中一个"},
    "cox_constant_within_strata": {"en": "covariate {name!r} does not vary within the strata: its "
                                         "effect is part of the strata's baseline hazards; leave "
                                         "it out or do not stratify by it",
                                   "zh_CN": "协变量“{name}”在各分层内没有变化：其效应已包含在各分层的基准风险中；"
                                            "请去掉该协变量或不按其分层"},
    "cox_singular": {"en": "the Cox model cannot be fitted: the information matrix is singular "
                           "(collinear or constant covariates?)",
                     "zh_CN": "Cox 模型无法拟合：信息矩阵奇异（协变量共线或取值恒定？）"},
    "cox_not_improving": {"en": "the Cox model did not converge (the likelihood stopped "
                                "improving)",
                          "zh_CN": "Cox 模型未收敛（似然不再增大）"},
    "cox_max_iterations": {"en": "the Cox model did not converge in {iterations} iterations",
                           "zh_CN": "Cox 模型在{iterations}次迭代内未收敛"},
    "cox_diverging": {"en": "the Cox model did not converge: the effect of {name!r} grows "
                            "without bound (a level with no events, or all events?)",
                      "zh_CN": "Cox 模型未收敛：“{name}”的效应无限增大（某水平没有事件，或全部是事件？）"},
    "cox_level_without_events": {
        "en": "the Cox model did not converge: nobody with {column}={level} has the event, so its "
              "hazard ratio would be 0 (complete separation); merge that level with another or "
              "leave the column out",
        "zh_CN": "Cox 模型未收敛：{column}为“{level}”的保单均未发生事件，其风险比将为 0（完全分离）；"
                 "请将该水平与其他水平合并，或去掉该字段"},
    "cox_separation_highest": {
        "en": "the Cox model did not converge: every event happens where {name!r} is at its "
              "highest among the rows still at risk, so its hazard ratio is infinite (complete "
              "separation); merge levels or leave the column out",
        "zh_CN": "Cox 模型未收敛：每个事件发生时，发生事件者的“{name}”都是仍处于风险中各行的最大值，"
                 "其风险比为无穷大（完全分离）；请合并水平或去掉该字段"},
    "cox_separation_lowest": {
        "en": "the Cox model did not converge: every event happens where {name!r} is at its "
              "lowest among the rows still at risk, so its hazard ratio is infinite (complete "
              "separation); merge levels or leave the column out",
        "zh_CN": "Cox 模型未收敛：每个事件发生时，发生事件者的“{name}”都是仍处于风险中各行的最小值，"
                 "其风险比为无穷大（完全分离）；请合并水平或去掉该字段"},
    "cox_log_transform_nonpositive": {"en": "the log time transform needs positive durations; use "
                                            "transform 'km' or 'rank'",
                                      "zh_CN": "对数时间变换需要正的时长；请改用 km 或 rank 变换"},
    # the experience study (analysis.experience, experience_exposure)
    "experience_split_basis": {"en": "split exposures are summarised on the policy or calendar "
                                     "basis",
                               "zh_CN": "拆分暴露只能按保单或日历口径汇总"},
    "experience_credibility": {"en": "credibility needs 0 < p < 1 and r > 0",
                               "zh_CN": "可信度要求 0 < p < 1 且 r > 0"},
    "experience_split_method": {"en": "split exposures use the annual method (as actxps)",
                                "zh_CN": "拆分暴露使用年度法（与 actxps 相同）"},
    "experience_no_issue_dates": {"en": "an experience study needs a policies table with issue "
                                        "dates",
                                  "zh_CN": "经验分析需要含生效日期的保单数据"},
    "experience_unknown_weight": {"en": "unknown weight column", "zh_CN": "未知的加权字段"},
    "experience_weight_unusable": {"en": "{n} policies have no usable {column} (missing or "
                                         "negative): a weighted study needs a weight for every "
                                         "policy",
                                   "zh_CN": "{n}件保单的{column}不可用（缺失或为负）：加权分析需要每件保单都有权重"},
    "experience_split_by_row": {"en": "{column!r} is already a row of the study; do not split by "
                                      "it",
                                "zh_CN": "“{column}”已是本分析的行；请勿再按它分组"},
    "split_unknown_column": {"en": "unknown column to split by", "zh_CN": "未知的分组字段"},
    "experience_expected_needs_column": {"en": "the expected-rate table needs a {column!r} column",
                                         "zh_CN": "预期发生率表需要“{column}”列"},
    "experience_expected_unknown_segment": {"en": "the expected-rate table has a segment column "
                                                  "the policies do not have",
                                            "zh_CN": "预期发生率表含有保单数据中没有的分组字段"},
    "experience_expected_duplicate": {"en": "the expected-rate table has two rates for one period "
                                            "and segment",
                                      "zh_CN": "预期发生率表中同一期间和分组有两个发生率"},
    "experience_no_target": {"en": "choose at least one termination status to study",
                             "zh_CN": "请至少选择一种终止状态进行分析"},
    "experience_study_start_after_as_of": {"en": "the study starts after the as-of date",
                                           "zh_CN": "研究起始日晚于统计日"},
    "experience_too_many_records": {"en": "this study would build {total:,} exposure records (more "
                                          "than {limit:,}); choose a longer period or a later "
                                          "study start",
                                    "zh_CN": "本次分析将生成{total:,}条暴露记录（超过{limit:,}条）；"
                                             "请选择更长的期间或更晚的研究起始日"},
    # persistency (analysis.persistency, collected_persistency)
    "persistency_month_too_small": {"en": "the persistency month must be 2 or more (13 and 25 are "
                                          "usual)",
                                    "zh_CN": "继续率的保单月须不小于 2（通常为 13 和 25）"},
    "persistency_negative_grace": {"en": "the grace period cannot be negative",
                                   "zh_CN": "宽限期不能为负数"},
    "persistency_no_issue_dates": {"en": "persistency needs a policies table with issue dates",
                                   "zh_CN": "继续率需要含生效日期的保单数据"},
    "persistency_no_payments": {"en": "persistency on the collected basis needs a premium_payments "
                                      "table (缴费记录: policy_id, due_date, paid_date, amount)",
                                "zh_CN": "实收口径的继续率需要缴费记录表（premium_payments：policy_id、"
                                         "due_date、paid_date、amount）"},
    # benefits and utilisation (analysis.benefits, utilisation)
    "benefits_cannot_segment": {"en": "cannot segment benefit usage by {column!r}",
                                "zh_CN": "无法按“{column}”对权益使用分组"},
    "benefits_no_usage": {"en": "no benefit usage loaded", "zh_CN": "未加载权益使用数据"},
    "benefits_needs_start": {"en": "members.join_date or policy issue dates are needed",
                             "zh_CN": "需要会员的入会日期或保单的生效日期"},
    "benefits_members_lack_column": {"en": "members have no {column!r} column",
                                     "zh_CN": "会员数据没有“{column}”字段"},
    "utilisation_needs_usage": {"en": "a utilisation study needs benefit uses and policies with "
                                      "member ids",
                                "zh_CN": "权益使用率分析需要权益使用记录和含会员号的保单数据"},
    # lapse scoring (analysis.scoring)
    "scoring_cox_no_snapshots": {"en": "the Cox scoring model needs labelled snapshots",
                                 "zh_CN": "Cox 评分模型需要带标签的快照"},
    "scoring_cox_cannot_fit": {"en": "the Cox scoring model cannot be fitted",
                               "zh_CN": "Cox 评分模型无法拟合"},
    "scoring_gbm_no_snapshots": {"en": "the challenger model needs labelled snapshots",
                                 "zh_CN": "挑战者模型需要带标签的快照"},
    "scoring_gbm_too_few_lapses": {"en": "too few lapses ({n}) to fit the challenger model",
                                   "zh_CN": "失效过少（{n}件），无法拟合挑战者模型"},
    "scoring_too_little_history": {"en": "scoring at {horizon} months needs {months} months of "
                                         "history before the as-of date with lapses in it (the "
                                         "first validation snapshot is {first})",
                                   "zh_CN": "预测期为{horizon}个月的评分需要统计日前{months}个月且含失效的历史数据"
                                            "（第一个验证快照为{first}）"},
    "scoring_model_mismatch": {"en": "the data do not match the model: {detail}",
                               "zh_CN": "数据与模型不匹配：{detail}"},
    "scoring_model_missing_columns": {"en": "the data do not match the model: missing columns: "
                                            "{columns}",
                                      "zh_CN": "数据与模型不匹配：缺少字段{columns}"},
    "scoring_model_unknown_levels": {"en": "the data do not match the model: column {column!r} has "
                                           "values the model never saw: {values}",
                                     "zh_CN": "数据与模型不匹配：字段“{column}”含有模型未见过的取值：{values}"},
    "scoring_no_policies_table": {"en": "scoring needs a policies table",
                                  "zh_CN": "评分需要保单数据"},
    "scoring_needs_dates": {"en": "scoring needs dated policies (issue_date); a duration/event "
                                  "table cannot show what was known at a past date",
                            "zh_CN": "评分需要含生效日期（issue_date）的保单；时长/事件表无法反映过去某日已知的信息"},
    "scoring_no_policy_in_filters": {"en": "no policy passes the filters",
                                     "zh_CN": "没有保单符合筛选条件"},
    "scoring_none_in_force": {"en": "no policy was in force on {date}",
                              "zh_CN": "{date}没有有效保单"},
    # early-warning rules (analysis.alerts)
    "alerts_unknown_metrics": {"en": "the rules name unknown monitored metrics: {metrics}",
                               "zh_CN": "预警规则中有未知的监控指标：{metrics}"},
})

# ---- why cohorts, projection, service cannot run (helpers X/Y/Z's modules) ----------------------
CATALOGUE.update({
    "cohorts_needs_issue_dates": {"en": "cohort retention needs a policies table with issue dates",
                                  "zh_CN": "队列留存分析需要含生效日期的保单数据"},
    "cohorts_premium_needs_column": {"en": "premium weights need an annual_premium column",
                                     "zh_CN": "按保费加权需要年化保费字段"},
    "projection_no_events": {"en": "no events: there is nothing to fit a retention model to",
                             "zh_CN": "无事件：没有可用于拟合留存模型的数据"},
    "projection_one_pair": {
        "en": "every policy has the same duration and event: the models need at least two "
              "different observations",
        "zh_CN": "所有保单的持续时间和事件都相同：模型至少需要两个不同的观测"},
    "projection_none_fitted": {"en": "no parametric model could be fitted: {failures}",
                               "zh_CN": "无法拟合任何参数模型：{failures}"},
    "service_needs_start_date": {"en": "service contacts need a start date",
                                 "zh_CN": "服务记录需要开始时间"},
    "report_no_policies_as_of": {
        "en": "no policies to report as of {as_of}: every policy was issued after --as-of {as_of}",
        "zh_CN": "截至{as_of}无可报告的保单：所有保单均在统计日（--as-of {as_of}）之后生效"},
})
