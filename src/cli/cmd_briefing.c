/*
 * cmd_briefing.c - `fangkong briefing --from D --to D [--out FILE] [--now T]`: the
 * accountability briefing (通报) of a period (services/accountability.h), as the CLI
 * operator: Chinese text on standard output or in FILE, or an XLSX table when FILE ends
 * in .xlsx (io/table_writer.h). Times are shown in local time (reporting.utc_offset_h).
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/strbuf.h"
#include "base/timeutil.h"
#include "cli/cli.h"
#include "io/table_writer.h"
#include "policy/policy.h"
#include "services/accountability.h"
#include "services/reports.h"

static const char usage_text[] =
    "usage: fangkong briefing --from YYYY-MM-DD --to YYYY-MM-DD [--out FILE] [--now T]\n"
    "                         [--data DIR]\n"
    "  The accountability briefing (通报) of the period: every lead that missed a\n"
    "  deadline and every daily report missing or late, with the unit and official\n"
    "  responsible at the time and the actions decided. Chinese text on standard output,\n"
    "  or in FILE; FILE ending in .xlsx is written as an Excel table. --now judges the\n"
    "  period as of T (default now).\n";

typedef struct brief_args {
    const char *from, *to, *out, *data;
    int64_t now;
} brief_args;

/* "YYYY-MM-DD HH:MM" in local time, or "—" for 0. */
static void local_time(int64_t t, int offset_h, char out[24])
{
    char iso[21];
    if (!t) {
        snprintf(out, 24, "—");
        return;
    }
    fk_instant_format(t + (int64_t)offset_h * 3600, iso);
    snprintf(out, 24, "%.10s %.5s", iso, iso + 11);
}

static const char *step_zh(const char *what)
{
    static const char *const names[][2] = {
        {"found", "找到"}, {"controlled", "管控"}, {"closed", "办结"},
        {"missing", "漏报"}, {"late", "迟报"}, {"arrived_late", "超时送达"},
        {"not_arrived", "超时未送达"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(names[i][0], what))
            return names[i][1];
    return what;
}

static const char *action_zh(const policy *pol, const char *action)
{
    char path[96];
    const char *zh = action;
    fk_err ignored;
    snprintf(path, sizeof path, "accountability.actions.%s.zh", action);
    policy_get_string(pol, path, &zh, &ignored);
    return zh;
}

static void who(strbuf *sb, const failure *f)
{
    if (f->resp)
        sb_appendf(sb, "责任单位：%s，责任人：%s", f->resp->unit, f->resp->official);
    else
        sb_appendf(sb, "责任单位：%s（责任表无记录）", f->unit_code[0] ? f->unit_code : "指挥部");
}

static void actions_of(strbuf *sb, const policy *pol, const briefing *b, const failure *f)
{
    size_t n;
    const action_rec *a = briefing_actions_of(b, f->ref, &n);
    for (size_t i = 0; i < n; i++)
        sb_appendf(sb, "。处理：%s %s（%s）", a[i].official, action_zh(pol, a[i].action),
                   a[i].reason);
}

static void text_failure(strbuf *sb, const policy *pol, const briefing *b, const failure *f,
                         int n, int offset_h)
{
    char due[24], done[24], status[48];
    local_time(f->due_at, offset_h, due);
    local_time(f->done_at, offset_h, done);
    bool lead = !strcmp(f->source, "lead"), trip = !strcmp(f->source, "trip");
    if (f->done_at)
        snprintf(status, sizeof status, "于 %s %s", done, lead ? "完成" : trip ? "送达" : "报送");
    else
        snprintf(status, sizeof status, "%s", lead ? "至今未完成" : trip ? "至今未送达" : "未报送");
    if (trip)
        sb_appendf(sb, "%d. 转运车次 %lld（%s）应于 %s 前送达隔离点，%s，超时 %.1f 小时；", n,
                   (long long)f->trip_id, f->area_code, due, status, (double)f->late_s / 3600.0);
    else if (lead)
        sb_appendf(sb, "%d. 线索 %lld（%s）“%s”环节应于 %s 前完成，%s，超时 %.1f 小时；", n,
                   (long long)f->lead_id, f->area_code, step_zh(f->what), due, status,
                   (double)f->late_s / 3600.0);
    else
        sb_appendf(sb, "%d. %s %s 日报告%s：截止 %s，%s，超时 %.1f 小时；", n, f->area_code,
                   f->day, step_zh(f->what), due, status, (double)f->late_s / 3600.0);
    who(sb, f);
    actions_of(sb, pol, b, f);
    sb_append(sb, "。\n");
}

static void text_section(strbuf *sb, const policy *pol, const briefing *b, const char *source,
                         const char *title, int offset_h)
{
    int n = 0;
    for (size_t i = 0; i < b->failures.n; i++)
        n += !strcmp(b->failures.items[i].source, source);
    sb_appendf(sb, "\n%s（%d 项）\n", title, n);
    n = 0;
    for (size_t i = 0; i < b->failures.n; i++)
        if (!strcmp(b->failures.items[i].source, source))
            text_failure(sb, pol, b, &b->failures.items[i], ++n, offset_h);
    if (!n)
        sb_append(sb, "无。\n");
}

static void text_briefing(strbuf *sb, const policy *pol, const briefing *b, int offset_h)
{
    char asof[24];
    local_time(b->period.now, offset_h, asof);
    sb_appendf(sb, "疫情防控责任落实情况通报\n统计时段：%s 至 %s；截至 %s（UTC%+d）\n",
               b->period.from_day, b->period.to_day, asof, offset_h);
    sb_appendf(sb, "共发现问题 %zu 项，已作处理 %zu 项。\n", b->failures.n, b->actions.n);
    text_section(sb, pol, b, "lead", "一、线索排查管控超时", offset_h);
    text_section(sb, pol, b, "report", "二、日报告迟报、漏报", offset_h);
    text_section(sb, pol, b, "trip", "三、转运超时", offset_h);
}

static int write_text(const char *path, const char *text, fk_err *err)
{
    FILE *f = path ? fopen(path, "w") : stdout;
    if (!f)
        return fk_fail(err, FK_EIO, "out", "cannot create %s", path);
    int bad = fputs(text, f) < 0;
    if (path)
        bad |= fclose(f) != 0;
    return bad ? fk_fail(err, FK_EIO, "out", "cannot write %s", path ? path : "stdout") : 0;
}

static int write_xlsx(const char *path, const policy *pol, const briefing *b, int offset_h,
                      fk_err *err)
{
    static const char *const head[] = {"编号", "类别", "环节", "单位代码", "日期", "应完成",
                                       "完成", "超时(小时)", "责任单位", "责任人", "处理"};
    tw *w = tw_open(path, "通报", err);
    if (!w || tw_row(w, head, 11, err) != 0)
        return tw_abort(w), -1;
    for (size_t i = 0; i < b->failures.n; i++) {
        const failure *f = &b->failures.items[i];
        char due[24], done[24], late[32];
        strbuf acts = STRBUF_INIT;
        local_time(f->due_at, offset_h, due);
        local_time(f->done_at, offset_h, done);
        snprintf(late, sizeof late, "%.1f", (double)f->late_s / 3600.0);
        size_t n;
        const action_rec *a = briefing_actions_of(b, f->ref, &n);
        for (size_t k = 0; k < n; k++)
            sb_appendf(&acts, "%s%s %s", sb_str(&acts)[0] ? "；" : "", a[k].official,
                       action_zh(pol, a[k].action));
        const char *kind = !strcmp(f->source, "lead")   ? "线索"
                           : !strcmp(f->source, "trip") ? "转运"
                                                        : "日报告";
        const char *row[] = {f->ref, kind,
                             step_zh(f->what), f->unit_code, f->day, due, done, late,
                             f->resp ? f->resp->unit : "", f->resp ? f->resp->official : "",
                             sb_str(&acts)};
        int rc = tw_row(w, row, 11, err);
        sb_free(&acts);
        if (rc != 0)
            return tw_abort(w), -1;
    }
    return tw_close(w, err);
}

static int run(const brief_args *a)
{
    policy *pol = cli_load_policy("briefing", a->data, NULL, NULL);
    store *st = pol ? cli_open_store("briefing", a->data) : NULL;
    actor me;
    acc_period p;
    briefing b;
    report_clock c;
    fk_err err;
    int rc = 1;
    if (!st)
        goto out;
    actor_cli(&me);
    if (reports_clock(pol, &c, &err) != 0 ||
        acc_period_make(pol, a->from, a->to, a->now, &p, &err) != 0 ||
        acc_briefing(st, pol, &me, &p, &b, &err) != 0) {
        rc = cli_fail("briefing", &err);
        goto out;
    }
    if (a->out && tw_path_is_xlsx(a->out)) {
        rc = write_xlsx(a->out, pol, &b, c.utc_offset_h, &err) != 0;
    } else {
        strbuf sb = STRBUF_INIT;
        text_briefing(&sb, pol, &b, c.utc_offset_h);
        rc = write_text(a->out, sb_str(&sb), &err) != 0;
        sb_free(&sb);
    }
    if (rc)
        cli_fail("briefing", &err);
    briefing_free(&b);
out:
    if (st)
        store_close(st);
    policy_free(pol);
    return rc;
}

int cmd_briefing(int argc, char **argv)
{
    static const struct option opts[] = {
        {"data", required_argument, 0, 'd'}, {"from", required_argument, 0, 'f'},
        {"to", required_argument, 0, 't'},   {"out", required_argument, 0, 'o'},
        {"now", required_argument, 0, 'n'},  {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    brief_args a = {.data = CLI_DEFAULT_DATA, .now = fk_now()};
    fk_err err;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': a.data = optarg; break;
        case 'f': a.from = optarg; break;
        case 't': a.to = optarg; break;
        case 'o': a.out = optarg; break;
        case 'n':
            if (fk_instant_parse(optarg, &a.now, "now", &err) != 0)
                return cli_fail("briefing", &err);
            break;
        case 'h': return fputs(usage_text, stdout), 0;
        default: return cli_usage(usage_text);
        }
    }
    if (optind != argc || !a.from || !a.to)
        return cli_usage(usage_text);
    return run(&a);
}
