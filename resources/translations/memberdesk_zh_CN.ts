<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
    <context>
        <name />
        <message>
            <source>Reset zoom</source>
            <translation>重置缩放</translation>
        </message>
        <message>
            <source>Show all data again after zooming or panning</source>
            <translation>缩放或平移后重新显示全部数据</translation>
        </message>
        <message>
            <source>PNG…</source>
            <translation>PNG…</translation>
        </message>
        <message>
            <source>{0} already exists. Replace it?</source>
            <translation>{0} 已存在。要替换吗？</translation>
        </message>
        <message>
            <source>Export the chart as a PNG image</source>
            <translation>将图表导出为 PNG 图片</translation>
        </message>
        <message>
            <source>SVG…</source>
            <translation>SVG…</translation>
        </message>
        <message>
            <source>Export the chart as an SVG drawing</source>
            <translation>将图表导出为 SVG 矢量图</translation>
        </message>
        <message>
            <source>Copy data</source>
            <translation>复制数据</translation>
        </message>
        <message>
            <source>Copy the chart's numbers (tab-separated) to the clipboard</source>
            <translation>将图表数据（制表符分隔）复制到剪贴板</translation>
        </message>
        <message>
            <source>Table</source>
            <translation>表格</translation>
        </message>
        <message>
            <source>Show the chart's numbers as a table</source>
            <translation>以表格显示图表数据</translation>
        </message>
        <message>
            <source>PNG image (*.png)</source>
            <translation>PNG 图片 (*.png)</translation>
        </message>
        <message>
            <source>SVG drawing (*.svg)</source>
            <translation>SVG 矢量图 (*.svg)</translation>
        </message>
        <message>
            <source>Export chart</source>
            <translation>导出图表</translation>
        </message>
        <message>
            <source>Hazard ratio (log scale; &amp;lt; 1 = stays longer)</source>
            <translation>风险比（对数刻度；&amp;lt; 1 = 留存更久）</translation>
        </message>
        <message>
            <source>proportional-hazards assumption rejected (p &amp;lt; 0.05): the ratio changes over time</source>
            <translation>比例风险假设被拒绝（p &amp;lt; 0.05）：风险比随时间变化</translation>
        </message>
        <message>
            <source>not yet observed</source>
            <translation>尚未观察到</translation>
        </message>
        <message>
            <source>Share still in force</source>
            <translation>仍有效占比</translation>
        </message>
        <message>
            <source>Number at risk</source>
            <translation>风险集数量</translation>
        </message>
        <message>
            <source>No 95% CI band for groups of fewer than {n} subjects: {names}</source>
            <translation>样本少于 {n} 的分组不绘制 95% 置信区间带：{names}</translation>
        </message>
        <message>
            <source>Time since issue ({unit})</source>
            <translation>自承保起时间（{unit}）</translation>
        </message>
        <message>
            <source>months</source>
            <translation>月</translation>
        </message>
        <message>
            <source>days</source>
            <translation>天</translation>
        </message>
        <message>
            <source>Log-rank test</source>
            <translation>对数秩检验</translation>
        </message>
        <message>
            <source>t = {t:.1f} {unit}</source>
            <translation>t = {t:.1f} {unit}</translation>
        </message>
        <message>
            <source>{name}: {s:.1%} (95% CI {lo:.1%}–{hi:.1%}), at risk {n:,}</source>
            <translation>{name}：{s:.1%}（95% 置信区间 {lo:.1%}–{hi:.1%}），风险集 {n:,}</translation>
        </message>
        <message>
            <source>{v:,.0f} s</source>
            <translation>{v:,.0f} 秒</translation>
        </message>
        <message>
            <source>{v:,.1f} days</source>
            <translation>{v:,.1f} 天</translation>
        </message>
        <message>
            <source>{v:,.1f} months</source>
            <translation>{v:,.1f} 个月</translation>
        </message>
        <message>
            <source>no previous period</source>
            <translation>无上期数据</translation>
        </message>
        <message>
            <source>{arrow} {d:+.1f} pp vs previous</source>
            <translation>{arrow} 较上期 {d:+.1f} 个百分点</translation>
        </message>
        <message>
            <source>{arrow} {d:+.1%} vs previous</source>
            <translation>{arrow} 较上期 {d:+.1%}</translation>
        </message>
        <message>
            <source>{arrow} {d:+,.4g} vs previous</source>
            <translation>{arrow} 较上期 {d:+,.4g}</translation>
        </message>
        <message>
            <source>Click for the definition and lineage of this figure</source>
            <translation>点击查看该指标的定义与指标血缘</translation>
        </message>
        <message>
            <source>Time since issue (months)</source>
            <translation>自承保起时间（月）</translation>
        </message>
        <message>
            <source>Kaplan-Meier (observed)</source>
            <translation>卡普兰-迈耶（观察值）</translation>
        </message>
        <message>
            <source>end of data</source>
            <translation>数据截止</translation>
        </message>
        <message>
            <source>Cumulative probability of leaving</source>
            <translation>累计退出概率</translation>
        </message>
        <message>
            <source>The data cannot be used</source>
            <translation>数据无法使用</translation>
        </message>
        <message>
            <source>column {0}</source>
            <translation>列 {0}</translation>
        </message>
        <message>
            <source>This analysis cannot be computed</source>
            <translation>无法计算此分析</translation>
        </message>
        <message>
            <source>A file could not be read or written</source>
            <translation>无法读取或写入文件</translation>
        </message>
        <message>
            <source>Something went wrong</source>
            <translation>出现问题</translation>
        </message>
        <message>
            <source>MemberDesk hit an unexpected problem: {0}</source>
            <translation>MemberDesk 遇到意外问题：{0}</translation>
        </message>
        <message>
            <source>Where: {0}</source>
            <translation>位置：{0}</translation>
        </message>
        <message>
            <source>While: {0}</source>
            <translation>操作：{0}</translation>
        </message>
        <message>
            <source>Show details</source>
            <translation>显示详情</translation>
        </message>
        <message>
            <source>Copy details</source>
            <translation>复制详情</translation>
        </message>
        <message>
            <source>Hide details</source>
            <translation>隐藏详情</translation>
        </message>
        <message>
            <source>About MemberDesk</source>
            <translation>关于 MemberDesk</translation>
        </message>
        <message>
            <source>&lt;h3&gt;MemberDesk {0}&lt;/h3&gt;&lt;p&gt;Member-lifecycle analytics for a mutual life insurer: retention, persistency, drivers of lapse, projections, decrements, experience studies, benefits, service and claims, with an Excel report for managers.&lt;/p&gt;&lt;p&gt;Statistics: Kaplan-Meier and Cox models by &lt;a href='https://lifelines.readthedocs.io'&gt;lifelines&lt;/a&gt;; charts by pyqtgraph; user interface by Qt for Python (PySide6).&lt;/p&gt;</source>
            <translation>&lt;h3&gt;MemberDesk {0}&lt;/h3&gt;&lt;p&gt;面向相互制寿险公司的会员全生命周期分析：留存、继续率、失效驱动因素、预测、退出分解、经验分析、权益、服务与理赔，并为管理层生成 Excel 报告。&lt;/p&gt;&lt;p&gt;统计方法：卡普兰-迈耶与 Cox 模型由 &lt;a href='https://lifelines.readthedocs.io'&gt;lifelines&lt;/a&gt; 提供；图表由 pyqtgraph 绘制；用户界面基于 Qt for Python（PySide6）。&lt;/p&gt;</translation>
        </message>
        <message>
            <source>policies</source>
            <translation>保单</translation>
        </message>
        <message>
            <source>a policies file</source>
            <translation>保单文件</translation>
        </message>
        <message>
            <source>members</source>
            <translation>会员</translation>
        </message>
        <message>
            <source>a members file</source>
            <translation>会员文件</translation>
        </message>
        <message>
            <source>benefit usage records</source>
            <translation>权益使用记录</translation>
        </message>
        <message>
            <source>a benefit_usage file</source>
            <translation>权益使用文件（benefit_usage）</translation>
        </message>
        <message>
            <source>service contacts</source>
            <translation>服务接触记录</translation>
        </message>
        <message>
            <source>a service_contacts file</source>
            <translation>服务接触文件（service_contacts）</translation>
        </message>
        <message>
            <source>claims</source>
            <translation>理赔</translation>
        </message>
        <message>
            <source>a claims file</source>
            <translation>理赔文件</translation>
        </message>
        <message>
            <source>No data loaded — open a policies file (or a folder of files) to start.</source>
            <translation>尚未加载数据 — 请打开保单文件（或数据文件夹）开始。</translation>
        </message>
        <message>
            <source>data</source>
            <translation>数据</translation>
        </message>
        <message>
            <source>a file</source>
            <translation>数据文件</translation>
        </message>
        <message>
            <source>No {name} loaded — load {how} to see this page.</source>
            <translation>尚未加载{name} — 请加载{how}以查看本页。</translation>
        </message>
        <message>
            <source>Computing…</source>
            <translation>计算中…</translation>
        </message>
        <message>
            <source>Computing {0}…</source>
            <translation>正在计算{0}…</translation>
        </message>
        <message>
            <source>Cancelled — change a setting or open the page again to compute.</source>
            <translation>已取消 — 更改设置或重新打开本页即可重新计算。</translation>
        </message>
        <message>
            <source>This analysis cannot be computed on the current data:
{msg}</source>
            <translation>无法基于当前数据计算该分析：
{msg}</translation>
        </message>
        <message>
            <source>Something went wrong: {msg}</source>
            <translation>出现问题：{msg}</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
        <message>
            <source>metric</source>
            <translation>指标</translation>
        </message>
        <message>
            <source>intermediate result</source>
            <translation>中间结果</translation>
        </message>
        <message>
            <source>derived column</source>
            <translation>派生字段</translation>
        </message>
        <message>
            <source>source column</source>
            <translation>源字段</translation>
        </message>
        <message>
            <source>setting</source>
            <translation>参数设置</translation>
        </message>
        <message>
            <source>Click a figure or a metric to see its definition and lineage.</source>
            <translation>点击数字或指标，查看其定义与指标血缘。</translation>
        </message>
        <message>
            <source>Lineage: computed from</source>
            <translation>指标血缘：计算来源</translation>
        </message>
        <message>
            <source>Kind</source>
            <translation>类型</translation>
        </message>
        <message>
            <source>No definition is registered for “{id}”.</source>
            <translation>未登记“{id}”的定义。</translation>
        </message>
        <message>
            <source>higher is better</source>
            <translation>越高越好</translation>
        </message>
        <message>
            <source>lower is better</source>
            <translation>越低越好</translation>
        </message>
        <message>
            <source>neither higher nor lower is better</source>
            <translation>无好坏方向</translation>
        </message>
        <message>
            <source>Formula</source>
            <translation>公式</translation>
        </message>
        <message>
            <source>Unit</source>
            <translation>单位</translation>
        </message>
        <message>
            <source>Id</source>
            <translation>编号</translation>
        </message>
        <message>
            <source>proportional hazards look reasonable ({p})</source>
            <translation>比例风险假设成立（{p}）</translation>
        </message>
        <message>
            <source>effect changes over time ({p}): read the hazard ratio as an average</source>
            <translation>效应随时间变化（{p}）：风险比应理解为平均值</translation>
        </message>
        <message>
            <source>CUSUM</source>
            <translation>CUSUM 统计量</translation>
        </message>
        <message>
            <source>Rate</source>
            <translation>比率</translation>
        </message>
        <message>
            <source>Observed</source>
            <translation>实际</translation>
        </message>
        <message>
            <source>Expected</source>
            <translation>预期</translation>
        </message>
        <message>
            <source>Denominator</source>
            <translation>分母</translation>
        </message>
        <message>
            <source>Copy</source>
            <translation>复制</translation>
        </message>
        <message>
            <source>Copy with headers</source>
            <translation>连同表头复制</translation>
        </message>
        <message>
            <source>Export CSV…</source>
            <translation>导出 CSV…</translation>
        </message>
        <message>
            <source>Export XLSX…</source>
            <translation>导出 XLSX…</translation>
        </message>
        <message>
            <source>Select all</source>
            <translation>全选</translation>
        </message>
        <message>
            <source>CSV file (*.csv)</source>
            <translation>CSV 文件 (*.csv)</translation>
        </message>
        <message>
            <source>Excel workbook (*.xlsx)</source>
            <translation>Excel 工作簿 (*.xlsx)</translation>
        </message>
        <message>
            <source>Export table</source>
            <translation>导出表格</translation>
        </message>
    </context>
    <context>
        <name>AlertsPage</name>
        <message>
            <source>Alerts</source>
            <translation>预警</translation>
        </message>
        <message>
            <source>Segments outside their funnel limits (95 % alert, 99.8 % alarm, adjusted when the segments are overdispersed) or with a risk-adjusted CUSUM signal over monthly cohorts.</source>
            <translation>超出漏斗图控制限（95% 预警、99.8% 报警，分群过度离散时调整）或按月度队列的风险调整 CUSUM 发出信号的分群。</translation>
        </message>
        <message>
            <source>Show</source>
            <translation>显示</translation>
        </message>
        <message>
            <source>All alerts</source>
            <translation>全部预警</translation>
        </message>
        <message>
            <source>Alarms only</source>
            <translation>仅报警</translation>
        </message>
        <message>
            <source>Metric</source>
            <translation>指标</translation>
        </message>
        <message>
            <source>All metrics</source>
            <translation>全部指标</translation>
        </message>
        <message>
            <source>Acknowledge…</source>
            <translation>确认…</translation>
        </message>
        <message>
            <source>Funnel plot</source>
            <translation>漏斗图</translation>
        </message>
        <message>
            <source>CUSUM</source>
            <translation>CUSUM 控制图</translation>
        </message>
        <message>
            <source>Policies of the selected segment in the flagged months (personal data left out)</source>
            <translation>所选分群在预警月份的保单（不含个人信息）</translation>
        </message>
        <message>
            <source>Save a workspace to keep the alert history</source>
            <translation>保存工作区后才能保留预警记录</translation>
        </message>
        <message>
            <source>Level</source>
            <translation>级别</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>Segment</source>
            <translation>分群</translation>
        </message>
        <message>
            <source>Value</source>
            <translation>实际值</translation>
        </message>
        <message>
            <source>Lower limit</source>
            <translation>下控制限</translation>
        </message>
        <message>
            <source>Upper limit</source>
            <translation>上控制限</translation>
        </message>
        <message>
            <source>Denominator</source>
            <translation>分母</translation>
        </message>
        <message>
            <source>Since</source>
            <translation>起始月</translation>
        </message>
        <message>
            <source>Method</source>
            <translation>方法</translation>
        </message>
        <message>
            <source>Note</source>
            <translation>备注</translation>
        </message>
        <message>
            <source>Funnel plot: {0} by {1}, {2} ({3})</source>
            <translation>漏斗图：{0}（按{1}），{2}（{3}）</translation>
        </message>
        <message>
            <source>CUSUM: {0} = {1}</source>
            <translation>CUSUM：{0} = {1}</translation>
        </message>
        <message>
            <source>Acknowledge alert</source>
            <translation>确认预警</translation>
        </message>
        <message>
            <source>Note:</source>
            <translation>备注：</translation>
        </message>
    </context>
    <context>
        <name>AssumptionsDialog</name>
        <message>
            <source>Assumptions</source>
            <translation>分析假设</translation>
        </message>
        <message>
            <source> days</source>
            <translation> 天</translation>
        </message>
        <message>
            <source>most frequent level (e.g. channel = agency)</source>
            <translation>最常见水平（例如 channel = agency）</translation>
        </message>
        <message>
            <source>&amp;Free-look period:</source>
            <translation>犹豫期(&amp;F)：</translation>
        </message>
        <message>
            <source>&amp;Grace period:</source>
            <translation>宽限期(&amp;G)：</translation>
        </message>
        <message>
            <source>Credibility &amp;probability p:</source>
            <translation>可信度概率 p(&amp;P)：</translation>
        </message>
        <message>
            <source>Credibility &amp;tolerance r:</source>
            <translation>可信度容许误差 r(&amp;T)：</translation>
        </message>
        <message>
            <source>&amp;Confidence level:</source>
            <translation>置信水平(&amp;C)：</translation>
        </message>
        <message>
            <source>&amp;Age band cut-offs (years):</source>
            <translation>年龄分段界限（岁）(&amp;A)：</translation>
        </message>
        <message>
            <source>Pre&amp;mium band cut-offs:</source>
            <translation>保费分段界限(&amp;M)：</translation>
        </message>
        <message>
            <source>&amp;Duration band cut-offs (months):</source>
            <translation>保单年度分段界限（月）(&amp;D)：</translation>
        </message>
        <message>
            <source>Cox &amp;reference levels:</source>
            <translation>Cox 模型参照水平(&amp;R)：</translation>
        </message>
        <message>
            <source>&amp;Restore defaults</source>
            <translation>恢复默认值(&amp;R)</translation>
        </message>
        <message>
            <source>age bands</source>
            <translation>年龄分段</translation>
        </message>
        <message>
            <source>premium bands</source>
            <translation>保费分段</translation>
        </message>
        <message>
            <source>duration bands</source>
            <translation>保单年度分段</translation>
        </message>
        <message>
            <source>CI {0:g}%</source>
            <translation>置信水平 {0:g}%</translation>
        </message>
        <message>
            <source>free look {0} d</source>
            <translation>犹豫期 {0} 天</translation>
        </message>
        <message>
            <source>grace {0} d</source>
            <translation>宽限期 {0} 天</translation>
        </message>
        <message>
            <source>credibility p={0:g}, r={1:g}</source>
            <translation>可信度 p={0:g}，r={1:g}</translation>
        </message>
        <message>
            <source>own bands</source>
            <translation>自定义分段</translation>
        </message>
        <message>
            <source>reference levels {0}</source>
            <translation>参照水平 {0}</translation>
        </message>
        <message>
            <source>Assumptions: {0}</source>
            <translation>分析假设：{0}</translation>
        </message>
        <message>
            <source>&amp;Analysis</source>
            <translation>分析(&amp;A)</translation>
        </message>
        <message>
            <source>A&amp;ssumptions…</source>
            <translation>分析假设(&amp;S)…</translation>
        </message>
    </context>
    <context>
        <name>BenefitsPage</name>
        <message>
            <source>Benefits</source>
            <translation>权益</translation>
        </message>
        <message>
            <source>No benefit usage loaded — load a benefit_usage file to see this page.</source>
            <translation>尚未加载权益使用数据 — 请加载权益使用文件（benefit_usage）以查看本页。</translation>
        </message>
        <message>
            <source>Usage of member benefits (权益) and its link with retention.</source>
            <translation>会员权益的使用情况及其与留存的关系。</translation>
        </message>
        <message>
            <source>Usage rate by:</source>
            <translation>使用率分组：</translation>
        </message>
        <message>
            <source>all members</source>
            <translation>全部会员</translation>
        </message>
        <message>
            <source>Landmark:</source>
            <translation>界标时点：</translation>
        </message>
        <message>
            <source>12 months</source>
            <translation>12 个月</translation>
        </message>
        <message>
            <source>6 months</source>
            <translation>6 个月</translation>
        </message>
        <message>
            <source>24 months</source>
            <translation>24 个月</translation>
        </message>
        <message>
            <source>Uses per month by benefit</source>
            <translation>各项权益每月使用次数</translation>
        </message>
        <message>
            <source>Usage rate (last 12 months)</source>
            <translation>使用率（近 12 个月）</translation>
        </message>
        <message>
            <source>Users vs non-users: retention</source>
            <translation>使用者与未使用者的留存对比</translation>
        </message>
        <message>
            <source>Naive: ever-users vs never-users from issue — flattered by immortal-time bias (a policy must survive to use a benefit). Landmark: only policies in force at the landmark, grouped by use before it, followed from the landmark — the fair comparison.</source>
            <translation>朴素比较：自承保起比较曾使用与从未使用者 — 受“不朽时间偏倚”影响而偏高（保单须先存续才能使用权益）。界标法：仅取界标时点仍有效的保单，按界标前是否使用分组，自界标时点起跟踪 — 这才是公平的比较。</translation>
        </message>
        <message>
            <source>Month</source>
            <translation>月份</translation>
        </message>
        <message>
            <source>Uses</source>
            <translation>使用次数</translation>
        </message>
        <message>
            <source>Month-end</source>
            <translation>月末</translation>
        </message>
        <message>
            <source>Members who used a benefit</source>
            <translation>使用过权益的会员占比</translation>
        </message>
        <message>
            <source>Usage rate (12 months to each month-end)</source>
            <translation>权益使用率（截至各月末的近 12 个月）</translation>
        </message>
        <message>
            <source>naive (from issue)</source>
            <translation>朴素比较（自承保起）</translation>
        </message>
        <message>
            <source>landmark (fair)</source>
            <translation>界标法（公平比较）</translation>
        </message>
        <message>
            <source>users</source>
            <translation>使用者</translation>
        </message>
        <message>
            <source>non-users</source>
            <translation>未使用者</translation>
        </message>
        <message>
            <source>Still in force {h:g} months after origin</source>
            <translation>起点后 {h:g} 个月仍有效占比</translation>
        </message>
        <message>
            <source>issue date</source>
            <translation>承保日</translation>
        </message>
        <message>
            <source>landmark</source>
            <translation>界标时点</translation>
        </message>
        <message>
            <source>Retention comparison not available: {e}</source>
            <translation>无法进行留存对比：{e}</translation>
        </message>
    </context>
    <context>
        <name>CheckPage</name>
        <message>
            <source>Check</source>
            <translation>检查</translation>
        </message>
        <message>
            <source>What was accepted and what was rejected, and why. Rejected rows can be exported to correct them at the source.</source>
            <translation>哪些行被接受、哪些被拒绝及原因。被拒绝的行可以导出，以便在源头更正。</translation>
        </message>
        <message>
            <source>Checking the data…</source>
            <translation>正在检查数据…</translation>
        </message>
        <message>
            <source>{0}: {1:,} accepted, {2:,} rejected</source>
            <translation>{0}：接受 {1:,} 行，拒绝 {2:,} 行</translation>
        </message>
        <message>
            <source>The data cannot be loaded: {0}</source>
            <translation>无法加载数据：{0}</translation>
        </message>
    </context>
    <context>
        <name>ClaimsPage</name>
        <message>
            <source>Claims</source>
            <translation>理赔</translation>
        </message>
        <message>
            <source>No claims loaded — load a claims file to see this page.</source>
            <translation>尚未加载理赔数据 — 请加载理赔文件以查看本页。</translation>
        </message>
        <message>
            <source>Share of claims still open by days since report (open claims censored at the as-of date), and paid ratios.</source>
            <translation>按报案后天数统计的未结案理赔占比（未结案件在评估日删失），以及赔付率。</translation>
        </message>
        <message>
            <source>Share of claims still open</source>
            <translation>未结案理赔占比</translation>
        </message>
        <message>
            <source>Time to settlement</source>
            <translation>结案时效</translation>
        </message>
        <message>
            <source>Paid ratio by product</source>
            <translation>各产品赔付率</translation>
        </message>
        <message>
            <source>Days since the claim was reported</source>
            <translation>报案后天数</translation>
        </message>
        <message>
            <source>Paid ratio</source>
            <translation>赔付率</translation>
        </message>
        <message>
            <source>by amount</source>
            <translation>按金额</translation>
        </message>
        <message>
            <source>by count</source>
            <translation>按件数</translation>
        </message>
    </context>
    <context>
        <name>CockpitPage</name>
        <message>
            <source>Cockpit</source>
            <translation>经营管理驾驶舱</translation>
        </message>
        <message>
            <source>Key figures at the as-of date; the change compares with the same date a year earlier. Click a tile for its definition.</source>
            <translation>评估日的关键指标；变化与上年同日相比。点击指标卡查看定义。</translation>
        </message>
        <message>
            <source>⚠ Alarm in a segment</source>
            <translation>⚠ 有分群报警</translation>
        </message>
        <message>
            <source>Alarm (see the Alerts page): {0}</source>
            <translation>报警（见预警页）：{0}</translation>
        </message>
    </context>
    <context>
        <name>Column</name>
        <message>
            <source>member_id</source>
            <translation>会员号</translation>
        </message>
        <message>
            <source>policy_id</source>
            <translation>保单号</translation>
        </message>
        <message>
            <source>claim_id</source>
            <translation>理赔案件号</translation>
        </message>
        <message>
            <source>contact_id</source>
            <translation>接触编号</translation>
        </message>
        <message>
            <source>birth_date</source>
            <translation>出生日期</translation>
        </message>
        <message>
            <source>age</source>
            <translation>年龄</translation>
        </message>
        <message>
            <source>gender</source>
            <translation>性别</translation>
        </message>
        <message>
            <source>region</source>
            <translation>地区</translation>
        </message>
        <message>
            <source>join_date</source>
            <translation>入会日期</translation>
        </message>
        <message>
            <source>tier</source>
            <translation>会员等级</translation>
        </message>
        <message>
            <source>product</source>
            <translation>产品</translation>
        </message>
        <message>
            <source>product_type</source>
            <translation>产品类型</translation>
        </message>
        <message>
            <source>channel</source>
            <translation>渠道</translation>
        </message>
        <message>
            <source>issue_date</source>
            <translation>承保日期</translation>
        </message>
        <message>
            <source>end_date</source>
            <translation>终止日期</translation>
        </message>
        <message>
            <source>status</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>annual_premium</source>
            <translation>年化保费</translation>
        </message>
        <message>
            <source>sum_assured</source>
            <translation>保额</translation>
        </message>
        <message>
            <source>payment_frequency</source>
            <translation>缴费频率</translation>
        </message>
        <message>
            <source>duration</source>
            <translation>持续时间</translation>
        </message>
        <message>
            <source>event</source>
            <translation>事件</translation>
        </message>
        <message>
            <source>benefit</source>
            <translation>权益</translation>
        </message>
        <message>
            <source>used_at</source>
            <translation>使用时间</translation>
        </message>
        <message>
            <source>cost</source>
            <translation>成本</translation>
        </message>
        <message>
            <source>started_at</source>
            <translation>开始时间</translation>
        </message>
        <message>
            <source>handled_by</source>
            <translation>处理方</translation>
        </message>
        <message>
            <source>transferred_to_human</source>
            <translation>转人工</translation>
        </message>
        <message>
            <source>connected</source>
            <translation>已接通</translation>
        </message>
        <message>
            <source>wait_seconds</source>
            <translation>等待秒数</translation>
        </message>
        <message>
            <source>resolved</source>
            <translation>已解决</translation>
        </message>
        <message>
            <source>satisfaction</source>
            <translation>满意度</translation>
        </message>
        <message>
            <source>topic</source>
            <translation>主题</translation>
        </message>
        <message>
            <source>reported_at</source>
            <translation>报案日期</translation>
        </message>
        <message>
            <source>settled_at</source>
            <translation>结案日期</translation>
        </message>
        <message>
            <source>amount_claimed</source>
            <translation>申请金额</translation>
        </message>
        <message>
            <source>amount_paid</source>
            <translation>赔付金额</translation>
        </message>
        <message>
            <source>age_band</source>
            <translation>年龄段</translation>
        </message>
        <message>
            <source>exit_status</source>
            <translation>退出状态</translation>
        </message>
        <message>
            <source>issue_year</source>
            <translation>承保年份</translation>
        </message>
        <message>
            <source>premium_band</source>
            <translation>保费区间</translation>
        </message>
        <message>
            <source>age_at_issue</source>
            <translation>投保年龄</translation>
        </message>
        <message>
            <source>segment</source>
            <translation>分组</translation>
        </message>
        <message>
            <source>group</source>
            <translation>组别</translation>
        </message>
        <message>
            <source>time</source>
            <translation>时间</translation>
        </message>
        <message>
            <source>survival</source>
            <translation>生存率</translation>
        </message>
        <message>
            <source>ci_lower</source>
            <translation>置信区间下限</translation>
        </message>
        <message>
            <source>ci_upper</source>
            <translation>置信区间上限</translation>
        </message>
        <message>
            <source>at_risk</source>
            <translation>风险集数量</translation>
        </message>
        <message>
            <source>events</source>
            <translation>事件数</translation>
        </message>
        <message>
            <source>censored</source>
            <translation>删失数</translation>
        </message>
        <message>
            <source>n</source>
            <translation>样本数</translation>
        </message>
        <message>
            <source>median</source>
            <translation>中位数</translation>
        </message>
        <message>
            <source>median_ci_lower</source>
            <translation>中位数置信下限</translation>
        </message>
        <message>
            <source>median_ci_upper</source>
            <translation>中位数置信上限</translation>
        </message>
        <message>
            <source>median_days</source>
            <translation>中位天数</translation>
        </message>
        <message>
            <source>rmst</source>
            <translation>限制平均生存时间</translation>
        </message>
        <message>
            <source>se</source>
            <translation>标准误</translation>
        </message>
        <message>
            <source>difference</source>
            <translation>差值</translation>
        </message>
        <message>
            <source>difference_se</source>
            <translation>差值标准误</translation>
        </message>
        <message>
            <source>difference_ci_lower</source>
            <translation>差值95%置信下限</translation>
        </message>
        <message>
            <source>difference_ci_upper</source>
            <translation>差值95%置信上限</translation>
        </message>
        <message>
            <source>p_value</source>
            <translation>p 值</translation>
        </message>
        <message>
            <source>p_value_holm</source>
            <translation>p 值（Holm 校正）</translation>
        </message>
        <message>
            <source>test_statistic</source>
            <translation>检验统计量</translation>
        </message>
        <message>
            <source>group_a</source>
            <translation>组 A</translation>
        </message>
        <message>
            <source>group_b</source>
            <translation>组 B</translation>
        </message>
        <message>
            <source>years</source>
            <translation>年数</translation>
        </message>
        <message>
            <source>count</source>
            <translation>计数</translation>
        </message>
        <message>
            <source>covariate</source>
            <translation>协变量</translation>
        </message>
        <message>
            <source>coef</source>
            <translation>系数</translation>
        </message>
        <message>
            <source>hazard_ratio</source>
            <translation>风险比</translation>
        </message>
        <message>
            <source>hr_ci_lower</source>
            <translation>风险比置信下限</translation>
        </message>
        <message>
            <source>hr_ci_upper</source>
            <translation>风险比置信上限</translation>
        </message>
        <message>
            <source>verdict</source>
            <translation>结论</translation>
        </message>
        <message>
            <source>label</source>
            <translation>标签</translation>
        </message>
        <message>
            <source>model</source>
            <translation>模型</translation>
        </message>
        <message>
            <source>parameters</source>
            <translation>参数</translation>
        </message>
        <message>
            <source>aic</source>
            <translation>AIC</translation>
        </message>
        <message>
            <source>bic</source>
            <translation>BIC</translation>
        </message>
        <message>
            <source>log_likelihood</source>
            <translation>对数似然</translation>
        </message>
        <message>
            <source>best</source>
            <translation>最优</translation>
        </message>
        <message>
            <source>all_causes</source>
            <translation>全部原因</translation>
        </message>
        <message>
            <source>lapsed</source>
            <translation>失效</translation>
        </message>
        <message>
            <source>surrendered</source>
            <translation>退保</translation>
        </message>
        <message>
            <source>death</source>
            <translation>身故</translation>
        </message>
        <message>
            <source>matured</source>
            <translation>满期</translation>
        </message>
        <message>
            <source>in_force</source>
            <translation>有效</translation>
        </message>
        <message>
            <source>other</source>
            <translation>其他</translation>
        </message>
        <message>
            <source>policy_year</source>
            <translation>保单年度</translation>
        </message>
        <message>
            <source>exposure</source>
            <translation>暴露数</translation>
        </message>
        <message>
            <source>actual</source>
            <translation>实际</translation>
        </message>
        <message>
            <source>expected</source>
            <translation>预期</translation>
        </message>
        <message>
            <source>ae</source>
            <translation>实际/预期</translation>
        </message>
        <message>
            <source>rate</source>
            <translation>比率</translation>
        </message>
        <message>
            <source>rate_lower</source>
            <translation>比率下限</translation>
        </message>
        <message>
            <source>rate_upper</source>
            <translation>比率上限</translation>
        </message>
        <message>
            <source>credibility</source>
            <translation>可信度</translation>
        </message>
        <message>
            <source>expected_claims</source>
            <translation>预期件数</translation>
        </message>
        <message>
            <source>period</source>
            <translation>统计期</translation>
        </message>
        <message>
            <source>period_end</source>
            <translation>期末</translation>
        </message>
        <message>
            <source>cohort_count</source>
            <translation>队列件数</translation>
        </message>
        <message>
            <source>cohort_premium</source>
            <translation>队列保费</translation>
        </message>
        <message>
            <source>persisting_count</source>
            <translation>继续有效件数</translation>
        </message>
        <message>
            <source>persisting_premium</source>
            <translation>继续有效保费</translation>
        </message>
        <message>
            <source>ratio_count</source>
            <translation>件数继续率</translation>
        </message>
        <message>
            <source>ratio_premium</source>
            <translation>保费继续率</translation>
        </message>
        <message>
            <source>excluded_single_premium</source>
            <translation>剔除趸交</translation>
        </message>
        <message>
            <source>excluded_free_look</source>
            <translation>剔除犹豫期退保</translation>
        </message>
        <message>
            <source>excluded_death</source>
            <translation>剔除身故</translation>
        </message>
        <message>
            <source>excluded_claim</source>
            <translation>剔除理赔</translation>
        </message>
        <message>
            <source>out_of_window</source>
            <translation>不在观察窗口内</translation>
        </message>
        <message>
            <source>users</source>
            <translation>使用者</translation>
        </message>
        <message>
            <source>non_users</source>
            <translation>未使用者</translation>
        </message>
        <message>
            <source>events_users</source>
            <translation>使用者事件数</translation>
        </message>
        <message>
            <source>events_non_users</source>
            <translation>未使用者事件数</translation>
        </message>
        <message>
            <source>survival_users</source>
            <translation>使用者生存率</translation>
        </message>
        <message>
            <source>survival_non_users</source>
            <translation>未使用者生存率</translation>
        </message>
        <message>
            <source>survival_difference</source>
            <translation>生存率差值</translation>
        </message>
        <message>
            <source>analysis</source>
            <translation>分析方法</translation>
        </message>
        <message>
            <source>origin</source>
            <translation>起点</translation>
        </message>
        <message>
            <source>claims</source>
            <translation>理赔件数</translation>
        </message>
        <message>
            <source>open</source>
            <translation>未结案</translation>
        </message>
        <message>
            <source>settled</source>
            <translation>已结案</translation>
        </message>
        <message>
            <source>paid_ratio_amount</source>
            <translation>赔付率（金额）</translation>
        </message>
        <message>
            <source>paid_ratio_count</source>
            <translation>赔付率（件数）</translation>
        </message>
        <message>
            <source>within_5_days</source>
            <translation>5 天内结案</translation>
        </message>
        <message>
            <source>within_10_days</source>
            <translation>10 天内结案</translation>
        </message>
        <message>
            <source>within_30_days</source>
            <translation>30 天内结案</translation>
        </message>
        <message>
            <source>value</source>
            <translation>数值</translation>
        </message>
        <message>
            <source>index</source>
            <translation>序号</translation>
        </message>
        <message>
            <source>file</source>
            <translation>文件</translation>
        </message>
        <message>
            <source>files</source>
            <translation>文件</translation>
        </message>
        <message>
            <source>sheet</source>
            <translation>工作表</translation>
        </message>
        <message>
            <source>table</source>
            <translation>数据表</translation>
        </message>
        <message>
            <source>read</source>
            <translation>读取行数</translation>
        </message>
        <message>
            <source>accepted</source>
            <translation>接受行数</translation>
        </message>
        <message>
            <source>rejected</source>
            <translation>拒绝行数</translation>
        </message>
        <message>
            <source>rows</source>
            <translation>行数</translation>
        </message>
        <message>
            <source>row</source>
            <translation>行号</translation>
        </message>
        <message>
            <source>column</source>
            <translation>列</translation>
        </message>
        <message>
            <source>reason</source>
            <translation>原因</translation>
        </message>
        <message>
            <source>detail</source>
            <translation>详情</translation>
        </message>
        <message>
            <source>meaning</source>
            <translation>含义</translation>
        </message>
        <message>
            <source>calendar_year</source>
            <translation>日历年度</translation>
        </message>
    </context>
    <context>
        <name>ColumnsPage</name>
        <message>
            <source>Columns</source>
            <translation>字段</translation>
        </message>
        <message>
            <source>Check which table each file holds and what each column means. Columns left as 'extra' stay available as segments.</source>
            <translation>确认每个文件属于哪张表、每列的含义。保留为“额外”的列仍可用作分组维度。</translation>
        </message>
        <message>
            <source>Reading the files…</source>
            <translation>正在读取文件…</translation>
        </message>
        <message>
            <source>{0} table(s) found.</source>
            <translation>找到 {0} 张表。</translation>
        </message>
        <message>
            <source>These files cannot be read: {0}</source>
            <translation>无法读取以下文件：{0}</translation>
        </message>
    </context>
    <context>
        <name>ComparePanel</name>
        <message>
            <source>Policies</source>
            <translation>保单数（件）</translation>
        </message>
        <message>
            <source>Lapses and surrenders</source>
            <translation>失效及退保数</translation>
        </message>
        <message>
            <source>Median lifetime (months)</source>
            <translation>保单存续中位数（月）</translation>
        </message>
        <message>
            <source>Retention at 1 year</source>
            <translation>1年留存率</translation>
        </message>
        <message>
            <source>Retention at 2 years</source>
            <translation>2年留存率</translation>
        </message>
        <message>
            <source>Retention at 3 years</source>
            <translation>3年留存率</translation>
        </message>
        <message>
            <source>Retention at 5 years</source>
            <translation>5年留存率</translation>
        </message>
        <message>
            <source>Persistency (premium)</source>
            <translation>继续率（保费）</translation>
        </message>
        <message>
            <source>Persistency (count)</source>
            <translation>继续率（件数）</translation>
        </message>
        <message>
            <source>Cohort (policies)</source>
            <translation>队列保单数（件）</translation>
        </message>
        <message>
            <source>not reached</source>
            <translation>未达到</translation>
        </message>
        <message>
            <source>Current ({0})</source>
            <translation>当前（{0}）</translation>
        </message>
        <message>
            <source>Reference ({0})</source>
            <translation>对比基准（{0}）</translation>
        </message>
        <message>
            <source>Change</source>
            <translation>变化</translation>
        </message>
        <message>
            <source>Figure</source>
            <translation>指标</translation>
        </message>
        <message>
            <source>All</source>
            <translation>全部</translation>
        </message>
        <message>
            <source>Comparing</source>
            <translation>对比计算</translation>
        </message>
        <message>
            <source>Compare &amp;with…</source>
            <translation>对比(&amp;W)…</translation>
        </message>
        <message>
            <source>another as-of date</source>
            <translation>另一评估日</translation>
        </message>
        <message>
            <source>pinned filters</source>
            <translation>固定的筛选条件</translation>
        </message>
        <message>
            <source>&amp;Pin current filters</source>
            <translation>固定当前筛选条件(&amp;P)</translation>
        </message>
        <message>
            <source>Keep the filters now in force as the reference; then change the filters to compare</source>
            <translation>将当前筛选条件固定为对比基准；然后修改筛选条件进行对比</translation>
        </message>
        <message>
            <source>Choose the reference: set the filters, press “Pin current filters”, then change the filters.</source>
            <translation>请选择对比基准：设置筛选条件，点击“固定当前筛选条件”，再修改筛选条件。</translation>
        </message>
        <message>
            <source>current filters</source>
            <translation>当前筛选条件</translation>
        </message>
        <message>
            <source>Computing the comparison…</source>
            <translation>正在计算对比…</translation>
        </message>
        <message>
            <source>The comparison could not be computed: {0}</source>
            <translation>无法计算对比：{0}</translation>
        </message>
        <message>
            <source>What changed: current view (as of {0}) against the reference (as of {1}); change = current − reference.</source>
            <translation>变化情况：当前视图（评估日 {0}）对比基准（评估日 {1}）；变化 = 当前 − 基准。</translation>
        </message>
        <message>
            <source>none</source>
            <translation>无</translation>
        </message>
        <message>
            <source>Pinned filters: {0}.</source>
            <translation>固定的筛选条件：{0}。</translation>
        </message>
    </context>
    <context>
        <name>ConnectDialog</name>
        <message>
            <source>Connect to database</source>
            <translation>连接数据库</translation>
        </message>
        <message>
            <source>optional: policies=SCHEMA.TABLE, members=SCHEMA.TABLE</source>
            <translation>可选：policies=模式.表名, members=模式.表名</translation>
        </message>
        <message>
            <source>Passwords come from PGPASSWORD or ~/.pgpass, or are asked for when needed; never from the URL, never saved.</source>
            <translation>密码取自 PGPASSWORD 或 ~/.pgpass，需要时再询问；不从 URL 读取，也从不保存。</translation>
        </message>
        <message>
            <source>Connect</source>
            <translation>连接</translation>
        </message>
        <message>
            <source>C&amp;olumns…</source>
            <translation>列映射(&amp;O)…</translation>
        </message>
        <message>
            <source>Which table each database table holds and what each column means: the same mapping editor as for files</source>
            <translation>每个数据库表对应哪张表、每列表示什么：与文件相同的列映射编辑器</translation>
        </message>
        <message>
            <source>Cancel query</source>
            <translation>取消查询</translation>
        </message>
        <message>
            <source>Connecting</source>
            <translation>正在连接</translation>
        </message>
        <message>
            <source>Connecting to {0}…</source>
            <translation>正在连接 {0}…</translation>
        </message>
        <message>
            <source>Reading the columns of {0}…</source>
            <translation>正在读取 {0} 的列…</translation>
        </message>
        <message>
            <source>Columns set for {0} tables: Connect reads them so.</source>
            <translation>已为 {0} 张表设置列映射：连接时按此读取。</translation>
        </message>
        <message>
            <source>Cancelled.</source>
            <translation>已取消。</translation>
        </message>
        <message>
            <source>Could not connect: {0}</source>
            <translation>无法连接：{0}</translation>
        </message>
        <message>
            <source>Database &amp;URL</source>
            <translation>数据库 URL(&amp;U)</translation>
        </message>
        <message>
            <source>&amp;Tables</source>
            <translation>数据表(&amp;T)</translation>
        </message>
        <message>
            <source>Checking the rows took {0} s. File ▸ Save data as DuckDB book… checks them once: the saved book opens without this check.</source>
            <translation>校验数据行用时 {0} 秒。“文件 ▸ 将数据另存为 DuckDB 数据库…”只需校验一次：另存的数据库打开时无需再次校验。</translation>
        </message>
        <message>
            <source>Database password</source>
            <translation>数据库密码</translation>
        </message>
        <message>
            <source>The server asks for a password for {0}.
It is kept for this session only, never saved.</source>
            <translation>服务器要求输入 {0} 的密码。
密码只保留在本次会话中，从不保存。</translation>
        </message>
    </context>
    <context>
        <name>DataPage</name>
        <message>
            <source>&lt;h2&gt;Data&lt;/h2&gt;</source>
            <translation>&lt;h2&gt;数据&lt;/h2&gt;</translation>
        </message>
        <message>
            <source>Open files…</source>
            <translation>打开文件…</translation>
        </message>
        <message>
            <source>Add files…</source>
            <translation>添加文件…</translation>
        </message>
        <message>
            <source>Files cannot be added to a database book; open them on their own instead</source>
            <translation>不能向数据库中添加文件；请单独打开这些文件</translation>
        </message>
        <message>
            <source>Load more files together with the ones loaded (e.g. a members file next to the policies)</source>
            <translation>与已加载的文件一起加载更多文件（例如在保单文件之外再加会员文件）</translation>
        </message>
        <message>
            <source>Open folder…</source>
            <translation>打开文件夹…</translation>
        </message>
        <message>
            <source>Import with column mapping…</source>
            <translation>按字段映射导入…</translation>
        </message>
        <message>
            <source>Check how the columns of your files are read before loading, and correct them</source>
            <translation>加载前检查文件各列的读取方式并加以更正</translation>
        </message>
        <message>
            <source>Connect to database…</source>
            <translation>连接数据库…</translation>
        </message>
        <message>
            <source>No data loaded yet. Open files or a folder, connect to a database, drop files on the window, or try the sample data.</source>
            <translation>尚未加载数据。请打开文件或文件夹、连接数据库、将文件拖放到窗口中，或试用示例数据。</translation>
        </message>
        <message>
            <source>Open a book kept in DuckDB, PostgreSQL or Spark (File ▸ Connect to database…)</source>
            <translation>打开存放在 DuckDB、PostgreSQL 或 Spark 中的数据（文件 ▸ 连接数据库…）</translation>
        </message>
        <message>
            <source>Open sample data</source>
            <translation>打开示例数据</translation>
        </message>
        <message>
            <source>Tables</source>
            <translation>数据表</translation>
        </message>
        <message>
            <source>Validation</source>
            <translation>校验</translation>
        </message>
        <message>
            <source>Data</source>
            <translation>数据</translation>
        </message>
        <message>
            <source>Validation ({0:,} rejected)</source>
            <translation>校验（拒绝 {0:,} 行）</translation>
        </message>
        <message>
            <source>&lt;b&gt;Database:&lt;/b&gt; {0}&lt;br&gt;&lt;b&gt;Accepted rows:&lt;/b&gt; {1}&lt;br&gt;&lt;b&gt;As of:&lt;/b&gt; {2} — showing the first {3} rows of each table.</source>
            <translation>&lt;b&gt;数据库：&lt;/b&gt;{0}&lt;br&gt;&lt;b&gt;接受行数：&lt;/b&gt;{1}&lt;br&gt;&lt;b&gt;评估日：&lt;/b&gt;{2} — 每张表显示前 {3} 行。</translation>
        </message>
        <message>
            <source>(unknown)</source>
            <translation>（未知）</translation>
        </message>
        <message>
            <source>&lt;b&gt;Files:&lt;/b&gt; {0}&lt;br&gt;&lt;b&gt;Accepted rows:&lt;/b&gt; {1}&lt;br&gt;&lt;b&gt;As of:&lt;/b&gt; {2} — showing the first {3} rows of each table.</source>
            <translation>&lt;b&gt;文件：&lt;/b&gt;{0}&lt;br&gt;&lt;b&gt;接受行数：&lt;/b&gt;{1}&lt;br&gt;&lt;b&gt;评估日：&lt;/b&gt;{2} — 每张表显示前 {3} 行。</translation>
        </message>
        <message>
            <source>Open data files</source>
            <translation>打开数据文件</translation>
        </message>
        <message>
            <source>Add data files</source>
            <translation>添加数据文件</translation>
        </message>
        <message>
            <source>Open a folder of data files</source>
            <translation>打开数据文件夹</translation>
        </message>
    </context>
    <context>
        <name>DecrementsPage</name>
        <message>
            <source>Decrements (competing exits)</source>
            <translation>退出分解（竞争风险）</translation>
        </message>
        <message>
            <source>Probability of having left by each cause by each duration, with the other causes competing (not censored). The top edge is the probability of having left for any reason.</source>
            <translation>各保单年限下因各原因退出的累计概率，其他原因作为竞争风险（不作删失处理）。顶部边缘为因任何原因退出的概率。</translation>
        </message>
        <message>
            <source>Segment:</source>
            <translation>分组：</translation>
        </message>
        <message>
            <source>Whole book</source>
            <translation>全部业务</translation>
        </message>
        <message>
            <source>Show:</source>
            <translation>显示：</translation>
        </message>
        <message>
            <source>Cumulative incidence by cause</source>
            <translation>各原因累计发生率</translation>
        </message>
        <message>
            <source>Incidence at 1/2/3/5 years</source>
            <translation>第 1/2/3/5 年累积发生率</translation>
        </message>
        <message>
            <source>Gray's test</source>
            <translation>Gray 检验</translation>
        </message>
        <message>
            <source>Choose a segment with two or more groups to compare their cumulative incidence (Gray's test; not available with a study start).</source>
            <translation>请选择含两个及以上分组的分组字段，以比较各组累积发生率（Gray 检验；设置研究起始日时不可用）。</translation>
        </message>
        <message>
            <source>Cumulative incidence by cause — {g}</source>
            <translation>各原因累计发生率 — {g}</translation>
        </message>
        <message>
            <source>Years since issue</source>
            <translation>承保后年数</translation>
        </message>
        <message>
            <source>Months since issue</source>
            <translation>承保后月数</translation>
        </message>
    </context>
    <context>
        <name>DictionaryPage</name>
        <message>
            <source>Metric dictionary</source>
            <translation>数据指标字典</translation>
        </message>
        <message>
            <source>Every figure MemberDesk shows: what it means, how it is computed and which data it comes from.</source>
            <translation>MemberDesk 显示的每个数字：含义、计算方法及数据来源。</translation>
        </message>
        <message>
            <source>Search names, definitions, columns…</source>
            <translation>搜索名称、定义、字段…</translation>
        </message>
        <message>
            <source>Search:</source>
            <translation>搜索：</translation>
        </message>
        <message>
            <source>Lineage of column:</source>
            <translation>字段血缘：</translation>
        </message>
        <message>
            <source>Lineage graph</source>
            <translation>血缘图</translation>
        </message>
        <message>
            <source>Impact of the last reload</source>
            <translation>上次重新加载的影响</translation>
        </message>
        <message>
            <source>Reload data with a different data model to compare.</source>
            <translation>以不同数据模型重新加载数据后可进行比较。</translation>
        </message>
        <message>
            <source>Definition</source>
            <translation>定义</translation>
        </message>
        <message>
            <source>Impact</source>
            <translation>影响分析</translation>
        </message>
        <message>
            <source>(choose a column)</source>
            <translation>（选择字段）</translation>
        </message>
        <message>
            <source>Depends on {0}</source>
            <translation>依赖 {0} 的内容</translation>
        </message>
        <message>
            <source>Comparing…</source>
            <translation>正在比较…</translation>
        </message>
        <message>
            <source>No column or vocabulary change.</source>
            <translation>字段与取值均无变化。</translation>
        </message>
        <message>
            <source>Lineage of {0}</source>
            <translation>{0} 的血缘</translation>
        </message>
    </context>
    <context>
        <name>DriversPage</name>
        <message>
            <source>Drivers of lapse (Cox model)</source>
            <translation>失效驱动因素（Cox 模型）</translation>
        </message>
        <message>
            <source>Hazard ratio &gt; 1: that level lapses faster than the reference level (the most frequent one); &lt; 1: it stays longer. Whiskers are 95% confidence intervals.</source>
            <translation>风险比 &gt; 1：该水平比参照水平（最常见的水平）失效更快；&lt; 1：留存更久。误差线为 95% 置信区间。</translation>
        </message>
        <message>
            <source>Strata:</source>
            <translation>分层：</translation>
        </message>
        <message>
            <source>None</source>
            <translation>无</translation>
        </message>
        <message>
            <source>Each level gets its own baseline hazard (R strata())</source>
            <translation>每个水平有各自的基准风险（R strata()）</translation>
        </message>
        <message>
            <source>Robust SE by:</source>
            <translation>稳健标准误聚类：</translation>
        </message>
        <message>
            <source>Policies of one member are not independent: robust (sandwich) standard errors, used for CIs and p-values</source>
            <translation>同一会员的多张保单并不独立：采用稳健（三明治）标准误计算置信区间和 p 值</translation>
        </message>
        <message>
            <source>PH test time:</source>
            <translation>比例风险检验时间：</translation>
        </message>
        <message>
            <source>Kaplan-Meier (R default)</source>
            <translation>Kaplan-Meier（R 默认）</translation>
        </message>
        <message>
            <source>rank</source>
            <translation>秩</translation>
        </message>
        <message>
            <source>identity</source>
            <translation>恒等</translation>
        </message>
        <message>
            <source>log</source>
            <translation>对数</translation>
        </message>
        <message>
            <source>Covariates:</source>
            <translation>协变量：</translation>
        </message>
        <message>
            <source>Who to call: Retention list →</source>
            <translation>应联系谁：挽留名单 →</translation>
        </message>
        <message>
            <source>Lapse-risk scores of every in-force policy</source>
            <translation>每件有效保单的失效风险评分</translation>
        </message>
        <message>
            <source>Hazard ratios</source>
            <translation>风险比</translation>
        </message>
        <message>
            <source>Tick at least one covariate to fit the model.</source>
            <translation>请至少勾选一个协变量以拟合模型。</translation>
        </message>
        <message>
            <source>A column cannot be both a covariate and the strata.</source>
            <translation>同一字段不能既是协变量又是分层字段。</translation>
        </message>
        <message>
            <source>{n:,} policies, {e:,} lapses. Concordance {c:.3f}. Likelihood-ratio test p = {p:.3g}.</source>
            <translation>{n:,} 件保单，{e:,} 件失效。一致性指数 {c:.3f}。似然比检验 p = {p:.3g}。</translation>
        </message>
        <message>
            <source>Reference levels: {refs}</source>
            <translation>参照水平：{refs}</translation>
        </message>
        <message>
            <source>Strata: {s} (concordance within strata)</source>
            <translation>分层：{s}（一致性指数按层内计算）</translation>
        </message>
        <message>
            <source>Robust SE clustered by {c}: CIs and p-values use it</source>
            <translation>按{c}聚类的稳健标准误：置信区间和 p 值据此计算</translation>
        </message>
        <message>
            <source>Proportional hazards: R cox.zph exact test, {t} time transform; global p = {p:.3g}</source>
            <translation>比例风险假设：R cox.zph 精确检验，时间变换 {t}；整体 p = {p:.3g}</translation>
        </message>
        <message>
            <source>Not in these data (kept for other files): {0}</source>
            <translation>当前数据中没有（为其他文件保留）：{0}</translation>
        </message>
    </context>
    <context>
        <name>ExperiencePage</name>
        <message>
            <source>Experience study (A/E)</source>
            <translation>经验分析（实际/预期）</translation>
        </message>
        <message>
            <source>no expected table (rates only)</source>
            <translation>无预期率表（仅计算实际发生率）</translation>
        </message>
        <message>
            <source>Expected table…</source>
            <translation>预期率表…</translation>
        </message>
        <message>
            <source>Clear</source>
            <translation>清除</translation>
        </message>
        <message>
            <source>Basis:</source>
            <translation>统计基准：</translation>
        </message>
        <message>
            <source>Calendar year</source>
            <translation>日历年度</translation>
        </message>
        <message>
            <source>Period:</source>
            <translation>统计期：</translation>
        </message>
        <message>
            <source>year</source>
            <translation>年</translation>
        </message>
        <message>
            <source>quarter</source>
            <translation>季度</translation>
        </message>
        <message>
            <source>month</source>
            <translation>月</translation>
        </message>
        <message>
            <source>week</source>
            <translation>周</translation>
        </message>
        <message>
            <source>Weighted by:</source>
            <translation>加权依据：</translation>
        </message>
        <message>
            <source>policy count</source>
            <translation>件数</translation>
        </message>
        <message>
            <source>Split by:</source>
            <translation>分组：</translation>
        </message>
        <message>
            <source>Terminations studied:</source>
            <translation>研究的终止类型：</translation>
        </message>
        <message>
            <source>Experience</source>
            <translation>经验分析</translation>
        </message>
        <message>
            <source>annual premium</source>
            <translation>年化保费</translation>
        </message>
        <message>
            <source>sum assured</source>
            <translation>保额</translation>
        </message>
        <message>
            <source>Expected-rate table</source>
            <translation>预期率表</translation>
        </message>
        <message>
            <source>Tables (*.csv *.txt *.xlsx)</source>
            <translation>数据表 (*.csv *.txt *.xlsx)</translation>
        </message>
        <message>
            <source>Tick at least one termination status to study.</source>
            <translation>请至少勾选一种终止状态。</translation>
        </message>
        <message>
            <source>Total: exposure {e:,.2f} periods, actual {a:,.0f}, rate per period {r:.2%}{ae}</source>
            <translation>合计：暴露数 {e:,.2f} 期，实际 {a:,.0f}，每期实际发生率 {r:.2%}{ae}</translation>
        </message>
        <message>
            <source>Policy year</source>
            <translation>保单年度</translation>
        </message>
        <message>
            <source>Termination rate = actual ÷ exposure (policy-years) per policy year or calendar year. With an expected table, A/E = actual ÷ expected; credibility Z = min(1, √(actual ÷ 1,537·(1−rate))).</source>
            <translation>实际发生率 = 实际发生数 ÷ 暴露数（保单年），按保单年度或日历年度计算。提供预期率表时，实际/预期 (A/E) = 实际 ÷ 预期；可信度 Z = min(1, √(实际 ÷ 1,537·(1−实际发生率)))。</translation>
        </message>
        <message>
            <source>Policy quarter</source>
            <translation>保单季度</translation>
        </message>
        <message>
            <source>Policy month</source>
            <translation>保单月度</translation>
        </message>
        <message>
            <source>Policy week</source>
            <translation>保单周</translation>
        </message>
        <message>
            <source>Calendar date</source>
            <translation>日历日期</translation>
        </message>
        <message>
            <source>A/E</source>
            <translation>实际/预期</translation>
        </message>
        <message>
            <source>Actual ÷ expected by calendar year (95% CI)</source>
            <translation>各日历年度实际/预期（95% 置信区间）</translation>
        </message>
        <message>
            <source>Actual ÷ expected by policy year (95% CI)</source>
            <translation>各保单年度实际/预期（95% 置信区间）</translation>
        </message>
        <message>
            <source>Termination rate</source>
            <translation>实际发生率</translation>
        </message>
        <message>
            <source>Termination rate by calendar year (95% CI)</source>
            <translation>各日历年度实际发生率（95% 置信区间）</translation>
        </message>
        <message>
            <source>Termination rate by calendar year (95% CI) — load an expected table for A/E</source>
            <translation>各日历年度实际发生率（95% 置信区间）— 加载预期率表可计算实际/预期</translation>
        </message>
        <message>
            <source>Termination rate by policy year (95% CI) — load an expected table for A/E</source>
            <translation>各保单年度实际发生率（95% 置信区间）— 加载预期率表可计算实际/预期</translation>
        </message>
        <message>
            <source>{what} by {period} (95% CI)</source>
            <translation>按{period}的{what}（95% 置信区间）</translation>
        </message>
        <message>
            <source>The expected table has no calendar_year column, so its rates cannot be matched to calendar years: A/E needs the policy-year basis (or a table by calendar_year). Showing rates only.</source>
            <translation>预期率表没有 calendar_year（日历年度）列，其预期率无法按日历年度匹配：实际/预期需使用保单年度基准（或按 calendar_year 给出的预期率表）。当前仅显示实际发生率。</translation>
        </message>
        <message>
            <source>Total weighted by {w}: exposure {e:,.2f}, actual {a:,.2f} ({n:,} terminations), rate {r:.2%}{ae}</source>
            <translation>按{w}加权合计：暴露数 {e:,.2f}，实际 {a:,.2f}（{n:,} 件终止），实际发生率 {r:.2%}{ae}</translation>
        </message>
        <message>
            <source>Total: exposure {e:,.2f} policy-years, actual {a:,.0f}, rate {r:.2%}{ae}</source>
            <translation>合计：暴露数 {e:,.2f} 保单年，实际 {a:,.0f}，实际发生率 {r:.2%}{ae}</translation>
        </message>
        <message>
            <source>, A/E {v:.3f}</source>
            <translation>，实际/预期 {v:.3f}</translation>
        </message>
    </context>
    <context>
        <name>FilesPage</name>
        <message>
            <source>Detect automatically</source>
            <translation>自动检测</translation>
        </message>
        <message>
            <source>Chinese (GB18030 / GBK)</source>
            <translation>简体中文（GB18030 / GBK）</translation>
        </message>
        <message>
            <source>Western European (Windows-1252)</source>
            <translation>西欧（Windows-1252）</translation>
        </message>
        <message>
            <source>Latin-1 (ISO-8859-1)</source>
            <translation>西欧 Latin-1（ISO-8859-1）</translation>
        </message>
        <message>
            <source>Traditional Chinese (Big5)</source>
            <translation>繁体中文（Big5）</translation>
        </message>
        <message>
            <source>Files</source>
            <translation>文件</translation>
        </message>
        <message>
            <source>Choose the files (CSV, Excel, Parquet) or folders to load. Only a policies file is required.</source>
            <translation>选择要加载的文件（CSV、Excel、Parquet）或文件夹。只有保单文件是必需的。</translation>
        </message>
        <message>
            <source>Add files…</source>
            <translation>添加文件…</translation>
        </message>
        <message>
            <source>Add folder…</source>
            <translation>添加文件夹…</translation>
        </message>
        <message>
            <source>Remove</source>
            <translation>移除</translation>
        </message>
        <message>
            <source>Text files are decoded over their whole length; when the detected encoding is wrong or a file is refused, choose its encoding here.</source>
            <translation>文本文件按全文解码；若检测到的编码有误或文件被拒绝读取，请在此选择其编码。</translation>
        </message>
        <message>
            <source>Text encoding:</source>
            <translation>文本编码：</translation>
        </message>
        <message>
            <source>Cells holding one of these words (any case), or nothing but spaces, are missing values in every column.</source>
            <translation>单元格内容为以下任一词语（不区分大小写）或仅含空格时，在所有列中均视为缺失值。</translation>
        </message>
        <message>
            <source>Missing values:</source>
            <translation>缺失值：</translation>
        </message>
        <message>
            <source>Read hidden workbook sheets too</source>
            <translation>同时读取工作簿中的隐藏工作表</translation>
        </message>
        <message>
            <source>Add data files</source>
            <translation>添加数据文件</translation>
        </message>
        <message>
            <source>Add a folder</source>
            <translation>添加文件夹</translation>
        </message>
    </context>
    <context>
        <name>FilterBar</name>
        <message>
            <source>latest</source>
            <translation>最新</translation>
        </message>
        <message>
            <source>As-of date: the observation cut-off. Everything after it is treated as not yet happened. Default: the latest date in the data.</source>
            <translation>评估日：观察截止日，其后的一切视为尚未发生。默认：数据中的最新日期。</translation>
        </message>
        <message>
            <source>issue</source>
            <translation>生效日</translation>
        </message>
        <message>
            <source>Study start (delayed entry): survival statistics observe policies from this date; policies issued before it enter at their duration on that date, those ended before it are out of the window. Default: from issue.</source>
            <translation>研究起始日（延迟进入）：生存统计自该日起观察保单；此前承保的保单以该日的已持续时长进入，此前已终止的保单不在观察窗口内。默认：自生效日起。</translation>
        </message>
        <message>
            <source>any</source>
            <translation>不限</translation>
        </message>
        <message>
            <source>Only policies issued on or after this date</source>
            <translation>仅包括该日期及之后承保的保单</translation>
        </message>
        <message>
            <source>Only policies issued on or before this date</source>
            <translation>仅包括该日期及之前承保的保单</translation>
        </message>
        <message>
            <source>Product</source>
            <translation>产品</translation>
        </message>
        <message>
            <source>Channel</source>
            <translation>渠道</translation>
        </message>
        <message>
            <source>Region</source>
            <translation>地区</translation>
        </message>
        <message>
            <source>Tier</source>
            <translation>会员等级</translation>
        </message>
        <message>
            <source>Clear filters</source>
            <translation>清除筛选</translation>
        </message>
        <message>
            <source>As of</source>
            <translation>评估日</translation>
        </message>
        <message>
            <source>Study from</source>
            <translation>研究起始</translation>
        </message>
        <message>
            <source>Issued</source>
            <translation>承保日期</translation>
        </message>
        <message>
            <source>as of {0}</source>
            <translation>评估日 {0}</translation>
        </message>
        <message>
            <source>As of {0} is after the last date in the data ({1}): figures are as of {1}.</source>
            <translation>评估日 {0} 晚于数据中的最新日期（{1}）：指标按 {1} 计算。</translation>
        </message>
        <message>
            <source>Active: {0}</source>
            <translation>当前筛选：{0}</translation>
        </message>
        <message>
            <source>No filters: all data</source>
            <translation>无筛选：全部数据</translation>
        </message>
    </context>
    <context>
        <name>GuideWindow</name>
        <message>
            <source>MemberDesk user guide</source>
            <translation>MemberDesk 用户指南</translation>
        </message>
    </context>
    <context>
        <name>ImportWizard</name>
        <message>
            <source>Import data</source>
            <translation>导入数据</translation>
        </message>
        <message>
            <source>Import</source>
            <translation>导入</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <source>Loading data</source>
            <translation>加载数据</translation>
        </message>
        <message>
            <source>Exporting</source>
            <translation>导出</translation>
        </message>
        <message>
            <source>No data loaded</source>
            <translation>未加载数据</translation>
        </message>
        <message>
            <source>Opening a page</source>
            <translation>打开页面</translation>
        </message>
        <message>
            <source>This page could not be opened: {0}</source>
            <translation>无法打开此页面：{0}</translation>
        </message>
        <message>
            <source>Loading {0}…</source>
            <translation>正在加载 {0}…</translation>
        </message>
        <message>
            <source> The data already loaded are kept.</source>
            <translation>已加载的数据保持不变。</translation>
        </message>
        <message>
            <source>Could not load the data.</source>
            <translation>无法加载数据。</translation>
        </message>
        <message>
            <source>As of {0}</source>
            <translation>评估日 {0}</translation>
        </message>
        <message>
            <source>Opening a workspace</source>
            <translation>打开工作区</translation>
        </message>
    </context>
    <context>
        <name>MappingEditor</name>
        <message>
            <source>Ignore this table</source>
            <translation>忽略此表</translation>
        </message>
        <message>
            <source>Column in the file</source>
            <translation>文件中的列</translation>
        </message>
        <message>
            <source>Column in the table</source>
            <translation>表中的列</translation>
        </message>
        <message>
            <source>Examples</source>
            <translation>示例</translation>
        </message>
        <message>
            <source>Means</source>
            <translation>含义</translation>
        </message>
        <message>
            <source>This table holds:</source>
            <translation>此表内容：</translation>
        </message>
        <message>
            <source>(keep as extra column)</source>
            <translation>（保留为额外列）</translation>
        </message>
        <message>
            <source>Required but not mapped: {0}</source>
            <translation>必需但未映射：{0}</translation>
        </message>
    </context>
    <context>
        <name>MultiSelect</name>
        <message>
            <source>All (no filter)</source>
            <translation>全部（不筛选）</translation>
        </message>
        <message>
            <source>{0}: all</source>
            <translation>{0}：全部</translation>
        </message>
        <message>
            <source>{0}: {1} of {2}</source>
            <translation>{0}：{1}/{2}</translation>
        </message>
    </context>
    <context>
        <name>PersistencyPage</name>
        <message>
            <source>Persistency &amp; cohorts</source>
            <translation>继续率与队列</translation>
        </message>
        <message>
            <source>Persistency ratio: annual premium of the cohort still in force at the end of its 13th (25th) policy month ÷ the cohort's premium. Single-premium, free-look cancellations and deaths are excluded.</source>
            <translation>继续率：队列在第 13（25）个保单月末仍有效的年化保费 ÷ 该队列的保费。趸交、犹豫期退保及身故不计入。</translation>
        </message>
        <message>
            <source>Collected basis: premium collected for that month within the grace period ÷ premium due in month 1; claims and premium waivers are excluded too.</source>
            <translation>实收口径：该保单月在宽限期内实收的保费 ÷ 首期应缴保费；理赔及豁免保费的保单同样剔除。</translation>
        </message>
        <message>
            <source>Month:</source>
            <translation>月份：</translation>
        </message>
        <message>
            <source>13th month</source>
            <translation>第 13 个月</translation>
        </message>
        <message>
            <source>25th month</source>
            <translation>第 25 个月</translation>
        </message>
        <message>
            <source>Basis:</source>
            <translation>统计基准：</translation>
        </message>
        <message>
            <source>in force</source>
            <translation>有效状态</translation>
        </message>
        <message>
            <source>collected</source>
            <translation>实收</translation>
        </message>
        <message>
            <source>Period:</source>
            <translation>统计期：</translation>
        </message>
        <message>
            <source>rolling 12 months</source>
            <translation>滚动 12 个月</translation>
        </message>
        <message>
            <source>month</source>
            <translation>月</translation>
        </message>
        <message>
            <source>quarter</source>
            <translation>季度</translation>
        </message>
        <message>
            <source>year</source>
            <translation>年</translation>
        </message>
        <message>
            <source>Segment:</source>
            <translation>分组：</translation>
        </message>
        <message>
            <source>Whole book</source>
            <translation>全部业务</translation>
        </message>
        <message>
            <source>Measure:</source>
            <translation>口径：</translation>
        </message>
        <message>
            <source>premium</source>
            <translation>保费</translation>
        </message>
        <message>
            <source>policy count</source>
            <translation>件数</translation>
        </message>
        <message>
            <source>Cohorts by:</source>
            <translation>队列划分：</translation>
        </message>
        <message>
            <source>Cohort:</source>
            <translation>队列：</translation>
        </message>
        <message>
            <source>issue month</source>
            <translation>承保月份</translation>
        </message>
        <message>
            <source>issue quarter</source>
            <translation>承保季度</translation>
        </message>
        <message>
            <source>Persistency trend</source>
            <translation>继续率趋势</translation>
        </message>
        <message>
            <source>Cohort retention</source>
            <translation>队列留存</translation>
        </message>
        <message>
            <source>Cohort heatmap</source>
            <translation>队列热力图</translation>
        </message>
        <message>
            <source>Persistency table</source>
            <translation>继续率表</translation>
        </message>
        <message>
            <source>Exclusions (latest period):</source>
            <translation>剔除项（最近一期）：</translation>
        </message>
        <message>
            <source>Reconciliation</source>
            <translation>口径核对</translation>
        </message>
        <message>
            <source>The collected basis needs a premium payments table (缴费记录: policy_id, due_date, paid_date, amount). Load one, or choose the status basis.</source>
            <translation>实收口径需要缴费记录数据（缴费记录：policy_id、due_date、paid_date、amount）。请加载该数据，或选择状态口径。</translation>
        </message>
        <message>
            <source>Evaluation period (end)</source>
            <translation>评估期（期末）</translation>
        </message>
        <message>
            <source>{m}-month persistency</source>
            <translation>{m} 个月继续率</translation>
        </message>
        <message>
            <source>{m}-month persistency ({measure}) by {by}</source>
            <translation>按{by}的 {m} 个月继续率（{measure}）</translation>
        </message>
        <message>
            <source>whole book</source>
            <translation>全部业务</translation>
        </message>
        <message>
            <source>Choose the collected basis to reconcile collected premium with the status basis, Kaplan-Meier and the experience study.</source>
            <translation>选择实收口径，可将实收保费与状态口径、Kaplan-Meier 及经验分析进行核对。</translation>
        </message>
        <message>
            <source>Cohort of {p}: {n} policies, grace period {g} days. Differences: policies in force but not collected, grace-period cures, late and partial payers.</source>
            <translation>{p} 队列：{n} 件保单，宽限期 {g} 天。差异来源：有效但未实收的保单、宽限期内补缴、逾期及部分缴费。</translation>
        </message>
        <message>
            <source>Months since issue</source>
            <translation>承保后月数</translation>
        </message>
        <message>
            <source>Issue cohort</source>
            <translation>承保队列</translation>
        </message>
        <message>
            <source>Share still in force by issue cohort ({w})</source>
            <translation>各承保队列仍有效占比（{w}）</translation>
        </message>
    </context>
    <context>
        <name>ProjectionPage</name>
        <message>
            <source>Projection (parametric models)</source>
            <translation>预测（参数模型）</translation>
        </message>
        <message>
            <source>Smooth models fitted to the observed retention; the lowest AIC fits best (★). Beyond the end of the data (dashed) the curves are extrapolations — read them as scenarios.</source>
            <translation>对观察到的留存拟合平滑模型；AIC 最低者拟合最好（★）。数据截止之后（虚线）的曲线为外推 — 请视作情景。</translation>
        </message>
        <message>
            <source> months</source>
            <translation> 个月</translation>
        </message>
        <message>
            <source>Project to:</source>
            <translation>预测至：</translation>
        </message>
        <message>
            <source>Fitted models vs Kaplan-Meier</source>
            <translation>拟合模型与卡普兰-迈耶曲线对比</translation>
        </message>
        <message>
            <source>Fitted models vs Kaplan-Meier — best by AIC: {m}</source>
            <translation>拟合模型与卡普兰-迈耶曲线对比 — AIC 最优：{m}</translation>
        </message>
        <message>
            <source> (not fitted: {f})</source>
            <translation>（未拟合：{f}）</translation>
        </message>
    </context>
    <context>
        <name>RetentionListPage</name>
        <message>
            <source>Retention list: who to call</source>
            <translation>挽留名单：应联系谁</translation>
        </message>
        <message>
            <source>Probability that each in-force policy lapses or is surrendered within the horizon (deaths and maturities are not lapses), validated on the last horizon's actual lapses against a naive baseline. Call the highest risk x premium first.</source>
            <translation>每件有效保单在预测期内失效或退保的概率（身故、满期不计为失效），以上一个预测期的实际失效相对朴素基准进行验证。优先联系风险×保费最高的保单。</translation>
        </message>
        <message>
            <source>Horizon:</source>
            <translation>预测期：</translation>
        </message>
        <message>
            <source>12 months</source>
            <translation>12 个月</translation>
        </message>
        <message>
            <source>6 months</source>
            <translation>6 个月</translation>
        </message>
        <message>
            <source>3 months</source>
            <translation>3 个月</translation>
        </message>
        <message>
            <source>Model:</source>
            <translation>模型：</translation>
        </message>
        <message>
            <source>Best out of time</source>
            <translation>时间外验证最优</translation>
        </message>
        <message>
            <source>Cox model</source>
            <translation>Cox 比例风险模型</translation>
        </message>
        <message>
            <source>Gradient boosting</source>
            <translation>梯度提升树</translation>
        </message>
        <message>
            <source>Calibration: predicted vs observed by decile</source>
            <translation>校准：按十分位的预测与实际</translation>
        </message>
        <message>
            <source>Lapses found when calling the highest risk first</source>
            <translation>优先联系高风险保单可找到的失效比例</translation>
        </message>
        <message>
            <source>Policy id contains…</source>
            <translation>保单号包含…</translation>
        </message>
        <message>
            <source>Export call list…</source>
            <translation>导出挽留名单…</translation>
        </message>
        <message>
            <source>◀ Previous</source>
            <translation>◀ 上一页</translation>
        </message>
        <message>
            <source>Next ▶</source>
            <translation>下一页 ▶</translation>
        </message>
        <message>
            <source>Naive baseline</source>
            <translation>朴素基准</translation>
        </message>
        <message>
            <source>Risk decile (1 = highest)</source>
            <translation>风险十分位（1 = 最高）</translation>
        </message>
        <message>
            <source>Lapse probability</source>
            <translation>失效概率</translation>
        </message>
        <message>
            <source>Predicted</source>
            <translation>预测</translation>
        </message>
        <message>
            <source>Observed</source>
            <translation>实际</translation>
        </message>
        <message>
            <source>Policies called (%)</source>
            <translation>已联系保单比例（%）</translation>
        </message>
        <message>
            <source>Share of lapses found</source>
            <translation>找到的失效比例</translation>
        </message>
        <message>
            <source>Model</source>
            <translation>模型</translation>
        </message>
        <message>
            <source>Baseline</source>
            <translation>朴素基准</translation>
        </message>
        <message>
            <source>Random</source>
            <translation>随机</translation>
        </message>
        <message>
            <source>higher out-of-time AUC, calibration within tolerance</source>
            <translation>时间外AUC更高，校准在容差内</translation>
        </message>
        <message>
            <source>the model with the higher AUC was outside the calibration tolerance</source>
            <translation>AUC更高的模型超出校准容差</translation>
        </message>
        <message>
            <source>higher AUC; both models outside the calibration tolerance</source>
            <translation>AUC更高；两个模型均超出校准容差</translation>
        </message>
        <message>
            <source>chosen by you</source>
            <translation>由您指定</translation>
        </message>
        <message>
            <source>{n:,} in-force policies scored, {h} months ahead; expected annual premium at risk {par:,.0f}. Validated on {p:,} policies in force on {c} ({e:,} lapsed by the as-of date). Model used: {m} ({why}).</source>
            <translation>已为 {n:,} 件有效保单评分，预测期 {h} 个月；预期年化风险保费 {par:,.0f}。以 {c} 的 {p:,} 件有效保单验证（截至评估日失效 {e:,} 件）。所用模型：{m}（{why}）。</translation>
        </message>
        <message>
            <source>All</source>
            <translation>全部</translation>
        </message>
        <message>
            <source>Page {p} of {n} · {rows:,} policies</source>
            <translation>第 {p} 页，共 {n} 页 · {rows:,} 件保单</translation>
        </message>
        <message>
            <source>Export call list</source>
            <translation>导出挽留名单</translation>
        </message>
        <message>
            <source>Excel (*.xlsx);;CSV (*.csv)</source>
            <translation>Excel 工作簿 (*.xlsx);;CSV 文件 (*.csv)</translation>
        </message>
        <message>
            <source>Personal data</source>
            <translation>个人信息</translation>
        </message>
        <message>
            <source>Include member ids, names and birth dates in the call list? Only do so if the people calling are allowed to see them.</source>
            <translation>名单中是否包含会员号、姓名和出生日期？仅在致电人员有权查看时才包含。</translation>
        </message>
    </context>
    <context>
        <name>RetentionPage</name>
        <message>
            <source>Retention (Kaplan-Meier)</source>
            <translation>留存（卡普兰-迈耶生存分析）</translation>
        </message>
        <message>
            <source>Share of policies still in force by time since issue. Event = voluntary exit (lapse or surrender); deaths, maturities and policies still in force are censored (ticks).</source>
            <translation>按承保后时间统计的仍有效保单占比（生存曲线）。事件 = 主动退出（失效或退保）；身故、满期及仍有效的保单作删失处理（刻度标记）。</translation>
        </message>
        <message>
            <source>Segment:</source>
            <translation>分组：</translation>
        </message>
        <message>
            <source>All policies</source>
            <translation>全部保单</translation>
        </message>
        <message>
            <source>Time unit:</source>
            <translation>时间单位：</translation>
        </message>
        <message>
            <source>months</source>
            <translation>月</translation>
        </message>
        <message>
            <source>days</source>
            <translation>天</translation>
        </message>
        <message>
            <source> years</source>
            <translation> 年</translation>
        </message>
        <message>
            <source>RMST horizon:</source>
            <translation>RMST 期限：</translation>
        </message>
        <message>
            <source>Test:</source>
            <translation>检验方法：</translation>
        </message>
        <message>
            <source>Log-rank</source>
            <translation>对数秩检验</translation>
        </message>
        <message>
            <source>Wilcoxon (Gehan-Breslow)</source>
            <translation>Wilcoxon 检验（Gehan-Breslow）</translation>
        </message>
        <message>
            <source>Tarone-Ware</source>
            <translation>Tarone-Ware 检验</translation>
        </message>
        <message>
            <source>Peto-Peto</source>
            <translation>Peto-Peto 检验</translation>
        </message>
        <message>
            <source>Fleming-Harrington (1, 0)</source>
            <translation>Fleming-Harrington 检验 (1, 0)</translation>
        </message>
        <message>
            <source>Fleming-Harrington (0, 1)</source>
            <translation>Fleming-Harrington 检验 (0, 1)</translation>
        </message>
        <message>
            <source>Top 6 + Other</source>
            <translation>前 6 组 + 其他</translation>
        </message>
        <message>
            <source>Chart the six largest groups and one curve for all other groups' policies pooled (a Kaplan-Meier curve of their records, not an average). The tables keep every group.</source>
            <translation>图中显示保单数最多的六个分组，其余分组的保单合并为一条曲线（按合并记录计算的卡普兰-迈耶曲线，不是各曲线的平均）。下方表格保留全部分组。</translation>
        </message>
        <message>
            <source>Retention curves</source>
            <translation>留存曲线</translation>
        </message>
        <message>
            <source>Survival at 1/2/3/5 years</source>
            <translation>1/2/3/5 年生存率</translation>
        </message>
        <message>
            <source>Medians</source>
            <translation>中位数</translation>
        </message>
        <message>
            <source>Pairwise log-rank</source>
            <translation>两两对数秩检验</translation>
        </message>
        <message>
            <source>RMST</source>
            <translation>限制平均生存时间 (RMST)</translation>
        </message>
        <message>
            <source>Other ({n} groups)</source>
            <translation>其他（{n} 组）</translation>
        </message>
        <message>
            <source>Other: {groups}</source>
            <translation>其他：{groups}</translation>
        </message>
        <message>
            <source>{test} test (χ² = {x:.1f}, {df} df)</source>
            <translation>{test}（χ² = {x:.1f}，自由度 {df}）</translation>
        </message>
        <message>
            <source>beyond follow-up (last time observed: {t:.1f} months)</source>
            <translation>超出随访期（最后观察时间：{t:.1f} 个月）</translation>
        </message>
        <message>
            <source>beyond follow-up (last time observed: {t:.1f} days)</source>
            <translation>超出随访期（最后观察时间：{t:.1f} 天）</translation>
        </message>
        <message>
            <source>all policies</source>
            <translation>全部保单</translation>
        </message>
        <message>
            <source>Retention by {by}</source>
            <translation>按{by}的留存</translation>
        </message>
        <message>
            <source>Choose a segment with two or more groups to compare them.</source>
            <translation>请选择包含两个或以上组别的分组维度进行比较。</translation>
        </message>
        <message>
            <source>RMST to {h:g} {unit}</source>
            <translation>{h:g} {unit}内的 RMST</translation>
        </message>
    </context>
    <context>
        <name>ServicePage</name>
        <message>
            <source>Service</source>
            <translation>服务</translation>
        </message>
        <message>
            <source>No service contacts loaded — load a service_contacts file to see this page.</source>
            <translation>尚未加载服务接触数据 — 请加载服务接触文件（service_contacts）以查看本页。</translation>
        </message>
        <message>
            <source>Bot replacement = bot contacts not transferred to a human ÷ all contacts; human connection = human-queue contacts answered ÷ human-queue contacts; CSAT = share of ratings ≥ 4.</source>
            <translation>智能客服替代率 = 未转人工的智能客服接触量 ÷ 全部接触量；人工接通率 = 人工队列已接通量 ÷ 人工队列接触量；客户满意度 (CSAT) = 评分 ≥ 4 的占比。</translation>
        </message>
        <message>
            <source>Service rates by month</source>
            <translation>各月服务指标</translation>
        </message>
        <message>
            <source>Contacts by channel</source>
            <translation>各渠道接触量</translation>
        </message>
        <message>
            <source>Contacts by topic (last 12 months)</source>
            <translation>各主题接触量（近 12 个月）</translation>
        </message>
        <message>
            <source>Human-queue wait (seconds)</source>
            <translation>人工排队等待时长（秒）</translation>
        </message>
        <message>
            <source>Rate</source>
            <translation>比率</translation>
        </message>
        <message>
            <source>Bot replacement</source>
            <translation>智能客服替代率</translation>
        </message>
        <message>
            <source>Human connection</source>
            <translation>人工接通率</translation>
        </message>
        <message>
            <source>CSAT</source>
            <translation>客户满意度 (CSAT)</translation>
        </message>
        <message>
            <source>Resolved</source>
            <translation>问题解决率</translation>
        </message>
        <message>
            <source>Contacts</source>
            <translation>接触量</translation>
        </message>
        <message>
            <source>Seconds</source>
            <translation>秒</translation>
        </message>
        <message>
            <source>Mean wait</source>
            <translation>平均等待</translation>
        </message>
        <message>
            <source>90% answered within</source>
            <translation>90% 接通时长</translation>
        </message>
        <message>
            <source>Last 12 months: {n:,.0f} contacts · bot replacement {b} · human connection {h} · CSAT {c}</source>
            <translation>近 12 个月：接触量 {n:,.0f} · 智能客服替代率 {b} · 人工接通率 {h} · 客户满意度 {c}</translation>
        </message>
    </context>
    <context>
        <name>ShellActions</name>
        <message>
            <source>&amp;Open files…</source>
            <translation>打开文件(&amp;O)…</translation>
        </message>
        <message>
            <source>Open &amp;folder…</source>
            <translation>打开文件夹(&amp;F)…</translation>
        </message>
        <message>
            <source>Open &amp;workspace…</source>
            <translation>打开工作区(&amp;W)…</translation>
        </message>
        <message>
            <source>Connect to &amp;database…</source>
            <translation>连接数据库(&amp;D)…</translation>
        </message>
        <message>
            <source>&amp;Save workspace</source>
            <translation>保存工作区(&amp;S)</translation>
        </message>
        <message>
            <source>Save workspace &amp;as…</source>
            <translation>工作区另存为(&amp;A)…</translation>
        </message>
        <message>
            <source>&amp;Export report…</source>
            <translation>导出报告(&amp;E)…</translation>
        </message>
        <message>
            <source>Export &amp;chart…</source>
            <translation>导出图表(&amp;C)…</translation>
        </message>
        <message>
            <source>Save data as DuckDB &amp;book…</source>
            <translation>将数据另存为 DuckDB 数据库(&amp;B)…</translation>
        </message>
        <message>
            <source>&amp;Quit</source>
            <translation>退出(&amp;Q)</translation>
        </message>
        <message>
            <source>&amp;User guide</source>
            <translation>用户指南(&amp;U)</translation>
        </message>
        <message>
            <source>&amp;About MemberDesk</source>
            <translation>关于 MemberDesk(&amp;A)</translation>
        </message>
        <message>
            <source>&amp;File</source>
            <translation>文件(&amp;F)</translation>
        </message>
        <message>
            <source>Open &amp;recent</source>
            <translation>最近打开(&amp;R)</translation>
        </message>
        <message>
            <source>&amp;View</source>
            <translation>视图(&amp;V)</translation>
        </message>
        <message>
            <source>&amp;Theme</source>
            <translation>主题(&amp;T)</translation>
        </message>
        <message>
            <source>Light</source>
            <translation>浅色</translation>
        </message>
        <message>
            <source>Dark</source>
            <translation>深色</translation>
        </message>
        <message>
            <source>&amp;Language</source>
            <translation>语言(&amp;L)</translation>
        </message>
        <message>
            <source>&amp;Help</source>
            <translation>帮助(&amp;H)</translation>
        </message>
        <message>
            <source>Main toolbar</source>
            <translation>主工具栏</translation>
        </message>
        <message>
            <source>Clear list</source>
            <translation>清空列表</translation>
        </message>
        <message>
            <source>Open data files</source>
            <translation>打开数据文件</translation>
        </message>
        <message>
            <source>Open a folder of data files</source>
            <translation>打开数据文件夹</translation>
        </message>
        <message>
            <source>Open workspace</source>
            <translation>打开工作区</translation>
        </message>
        <message>
            <source>File moved</source>
            <translation>文件已移动</translation>
        </message>
        <message>
            <source>The workspace uses {0}, which is no longer there. Please show where it is now; other files from the same folder are looked for next to it.</source>
            <translation>工作区使用的 {0} 已不在原位置。请指出它现在的位置；同一文件夹中的其他文件将在其旁边查找。</translation>
        </message>
        <message>
            <source>Where is {0}?</source>
            <translation>{0} 在哪里？</translation>
        </message>
        <message>
            <source>Save workspace</source>
            <translation>保存工作区</translation>
        </message>
        <message>
            <source>Replace the loaded data?</source>
            <translation>替换已加载的数据？</translation>
        </message>
        <message>
            <source>The data you open replace the data loaded now. Save the current data sources, filters and page as a workspace first?</source>
            <translation>打开的数据将替换当前已加载的数据。是否先将当前数据来源、筛选条件和页面保存为工作区？</translation>
        </message>
        <message>
            <source>The data you open replace the data loaded now ({0}).</source>
            <translation>打开的数据将替换当前已加载的数据（{0}）。</translation>
        </message>
        <message>
            <source>loaded data</source>
            <translation>已加载的数据</translation>
        </message>
        <message>
            <source>Unsaved changes</source>
            <translation>未保存的更改</translation>
        </message>
        <message>
            <source>Save the current files, filters and page as a workspace before closing?</source>
            <translation>关闭前是否将当前文件、筛选条件和页面保存为工作区？</translation>
        </message>
        <message>
            <source>Export report</source>
            <translation>导出报告</translation>
        </message>
        <message>
            <source>The report</source>
            <translation>报告</translation>
        </message>
        <message>
            <source>Note: {0}.</source>
            <translation>注意：{0}。</translation>
        </message>
        <message>
            <source>Report written to {0}</source>
            <translation>报告已写入 {0}</translation>
        </message>
        <message>
            <source>Load data first</source>
            <translation>请先加载数据</translation>
        </message>
        <message>
            <source>Save data as DuckDB book</source>
            <translation>将数据另存为 DuckDB 数据库</translation>
        </message>
        <message>
            <source>DuckDB book (*.duckdb)</source>
            <translation>DuckDB 数据库 (*.duckdb)</translation>
        </message>
        <message>
            <source>Replace the file?</source>
            <translation>替换该文件？</translation>
        </message>
        <message>
            <source>{0} already exists. Replace it?</source>
            <translation>{0} 已存在。要替换吗？</translation>
        </message>
        <message>
            <source>Book written to {0}. Open it with File ▸ Connect to database… ({1}): it opens without checking the rows again.</source>
            <translation>数据库已写入 {0}。可通过“文件 ▸ 连接数据库…”打开（{1}），打开时无需再次校验数据行。</translation>
        </message>
        <message>
            <source>This page has no chart to export</source>
            <translation>本页没有可导出的图表</translation>
        </message>
        <message>
            <source>Export chart</source>
            <translation>导出图表</translation>
        </message>
        <message>
            <source>Chart:</source>
            <translation>图表：</translation>
        </message>
        <message>
            <source>Language</source>
            <translation>语言</translation>
        </message>
        <message>
            <source>The language changes the next time MemberDesk starts.</source>
            <translation>语言将在下次启动 MemberDesk 时切换。</translation>
        </message>
    </context>
    <context>
        <name>Table</name>
        <message>
            <source>policies</source>
            <translation>保单</translation>
        </message>
        <message>
            <source>members</source>
            <translation>会员</translation>
        </message>
        <message>
            <source>benefit_usage</source>
            <translation>权益使用</translation>
        </message>
        <message>
            <source>service_contacts</source>
            <translation>服务接触</translation>
        </message>
        <message>
            <source>claims</source>
            <translation>理赔</translation>
        </message>
        <message>
            <source>as of {0}</source>
            <translation>评估日 {0}</translation>
        </message>
    </context>
    <context>
        <name>TableColumnsDialog</name>
        <message>
            <source>Columns of the database tables</source>
            <translation>数据库表的列</translation>
        </message>
        <message>
            <source>Tables not recognised are not read unless you choose what they hold. The choices apply when you connect, and are remembered for tables and files with the same columns.</source>
            <translation>未识别的表不会被读取，除非您选择其内容。所做的选择在连接时生效，并会记住，用于列相同的表和文件。</translation>
        </message>
    </context>
    <context>
        <name>TaskStatus</name>
        <message>
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
        <message>
            <source>Stop the running task</source>
            <translation>停止正在运行的任务</translation>
        </message>
    </context>
    <context>
        <name>ValidationView</name>
        <message>
            <source>Show all rejected rows</source>
            <translation>显示全部被拒绝的行</translation>
        </message>
        <message>
            <source>Export rejected rows…</source>
            <translation>导出被拒绝的行…</translation>
        </message>
        <message>
            <source>&lt;b&gt;Rows read, accepted and rejected per table&lt;/b&gt;</source>
            <translation>&lt;b&gt;各表读取、接受与拒绝的行数&lt;/b&gt;</translation>
        </message>
        <message>
            <source>&lt;b&gt;Why rows were rejected&lt;/b&gt; — select a line to see those rows</source>
            <translation>&lt;b&gt;拒绝原因&lt;/b&gt; — 选中一行查看对应数据</translation>
        </message>
        <message>
            <source>&lt;b&gt;Rejected rows&lt;/b&gt; ({0:,})</source>
            <translation>&lt;b&gt;被拒绝的行&lt;/b&gt;（{0:,}）</translation>
        </message>
        <message>
            <source>&lt;b&gt;Rejected rows&lt;/b&gt;: {0}, {1} ({2:,} of {3:,})</source>
            <translation>&lt;b&gt;被拒绝的行&lt;/b&gt;：{0}，{1}（{2:,}/{3:,}）</translation>
        </message>
        <message>
            <source>Export rejected rows</source>
            <translation>导出被拒绝的行</translation>
        </message>
    </context>
    <context>
        <name>Value</name>
        <message>
            <source>in_force</source>
            <translation>有效</translation>
        </message>
        <message>
            <source>lapsed</source>
            <translation>失效</translation>
        </message>
        <message>
            <source>surrendered</source>
            <translation>退保</translation>
        </message>
        <message>
            <source>death</source>
            <translation>身故</translation>
        </message>
        <message>
            <source>matured</source>
            <translation>满期</translation>
        </message>
        <message>
            <source>other</source>
            <translation>其他</translation>
        </message>
        <message>
            <source>paid</source>
            <translation>已赔付</translation>
        </message>
        <message>
            <source>declined</source>
            <translation>拒赔</translation>
        </message>
        <message>
            <source>open</source>
            <translation>未结案</translation>
        </message>
        <message>
            <source>bot</source>
            <translation>智能客服</translation>
        </message>
        <message>
            <source>human</source>
            <translation>人工</translation>
        </message>
        <message>
            <source>all</source>
            <translation>全部</translation>
        </message>
        <message>
            <source>All</source>
            <translation>全部</translation>
        </message>
        <message>
            <source>exponential</source>
            <translation>指数分布</translation>
        </message>
        <message>
            <source>weibull</source>
            <translation>威布尔分布</translation>
        </message>
        <message>
            <source>lognormal</source>
            <translation>对数正态分布</translation>
        </message>
        <message>
            <source>loglogistic</source>
            <translation>对数逻辑斯谛分布</translation>
        </message>
        <message>
            <source>bot_replacement_rate</source>
            <translation>智能客服替代率</translation>
        </message>
        <message>
            <source>human_connection_rate</source>
            <translation>人工接通率</translation>
        </message>
        <message>
            <source>csat</source>
            <translation>客户满意度 (CSAT)</translation>
        </message>
        <message>
            <source>resolution_rate</source>
            <translation>问题解决率</translation>
        </message>
        <message>
            <source>wait_mean_seconds</source>
            <translation>平均等待秒数</translation>
        </message>
        <message>
            <source>wait_p90_seconds</source>
            <translation>等待秒数 P90</translation>
        </message>
        <message>
            <source>paid_ratio_amount</source>
            <translation>赔付率（金额）</translation>
        </message>
        <message>
            <source>paid_ratio_count</source>
            <translation>赔付率（件数）</translation>
        </message>
        <message>
            <source>naive</source>
            <translation>朴素比较</translation>
        </message>
        <message>
            <source>landmark</source>
            <translation>界标法</translation>
        </message>
    </context>
</TS>
