"""`hall-app forecast backtest --from D1 --to D2`: how accurate would the estimates have been?

Replays the recorded business days (see `hall_app.forecast.backtest`) and prints, for
the predictor, the naive people-ahead estimate and the recent-waits estimate on the
same tickets: MAE, median absolute error, the share under-predicted by more than 5
minutes, the 80 % interval's coverage and the mean bias; then the same per day.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from typing import Any

from hall_app.config import Settings
from hall_app.errors import NotFound, ValidationError
from hall_app.forecast.accuracy import format_table
from hall_app.forecast.backtest import BacktestResult, backtest
from hall_app.forecast.records import load_setup


def add_parser(sub: Any, date_type: Any) -> None:
    fc = sub.add_parser("forecast", help="等候时间预测")
    fsub = fc.add_subparsers(dest="forecast_command", metavar="ACTION", required=True,
                             parser_class=type(fc))
    bt = fsub.add_parser("backtest", help="回放历史营业日,检验等候时间预测的准确度")
    bt.add_argument("--from", dest="date_from", type=date_type, required=True, metavar="D1",
                    help="起始营业日 YYYY-MM-DD")
    bt.add_argument("--to", dest="date_to", type=date_type, required=True, metavar="D2",
                    help="结束营业日 YYYY-MM-DD")


def main(args: argparse.Namespace, settings: Settings) -> int:
    from hall_app.services import HallServices

    if args.date_to < args.date_from:
        raise ValidationError("结束日期不能早于起始日期。", field="to")
    if (args.date_to - args.date_from).days > 92:
        raise ValidationError("一次最多回放92天。", field="to")
    services = HallServices.open(settings)
    try:
        ctx = services.ctx
        with ctx.read() as s:
            setup = load_setup(s, ctx.hall.id)

            def progress(day: Any) -> None:
                print(f"  已回放 {day}", file=sys.stderr, flush=True)

            result = backtest(s, setup, args.date_from, args.date_to, progress=progress)
        if not result.outcomes:
            raise NotFound(f"{args.date_from} 至 {args.date_to} 没有取号记录。")
        print(report_text(result, f"{ctx.hall.name} {args.date_from} 至 {args.date_to}"))
        return 0
    finally:
        services.close()


def report_text(result: BacktestResult, title: str) -> str:
    lines = [f"等候时间预测回放:{title}",
             f"取号 {len(result.outcomes)} 张;计入 {len(result.scored())} 张"
             f"(未被叫号 {result.uncalled} 张,取号时无窗口办理 {result.no_counter} 张不计入)",
             "",
             format_table([("本预测", result.predictor), ("按前方人数", result.naive),
                           ("近期等候", result.recent)])]
    by_day: dict[Any, BacktestResult] = defaultdict(BacktestResult)
    for o in result.outcomes:
        by_day[o.day].outcomes.append(o)
    if len(by_day) > 1:
        lines += ["", "逐日(本预测 / 按前方人数 平均绝对误差,分钟;区间覆盖):"]
        for day in sorted(by_day):
            r = by_day[day]
            p, n = r.predictor, r.naive
            if p.mae is None or n.mae is None:
                lines.append(f"  {day}  —")
                continue
            cov = f"{p.coverage * 100:.0f}%" if p.coverage is not None else "—"
            lines.append(f"  {day}  {p.mae:.2f} / {n.mae:.2f}  {cov}  ({p.n} 张)")
    lines += ["", "说明:误差 = 预测 − 实际等候(取号到首次叫号);少估超5分钟 = 实际比预测多等5分钟以上;"
              "区间为取号时告知顾客的80%区间(整分钟)。"]
    return "\n".join(lines)
