"""Staff roles and what each may do. Checks are made in the services, not the UI."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from hall_app.errors import PermissionDenied


class Role(StrEnum):
    CLERK = "clerk"
    DUTY_MANAGER = "duty_manager"
    ADMIN = "admin"


ROLE_LABELS = {"clerk": "营业员", "duty_manager": "值班长", "admin": "管理员"}


class Permission(StrEnum):
    SERVE = "serve"  # call / recall / start / finish / transfer at a counter
    ISSUE_TICKET = "issue_ticket"
    MARK_WALKAWAY = "mark_walkaway"
    CANCEL_TICKET = "cancel_ticket"
    CLOSE_DAY = "close_day"
    DECLARE_HALL_OUTAGE = "declare_hall_outage"
    DECLARE_COUNTER_OUTAGE = "declare_counter_outage"
    RECORD_FACILITY = "record_facility"
    ACK_ALERT = "ack_alert"
    VIEW_PHONE = "view_phone"
    HANDLE_COMPLAINT = "handle_complaint"  # register and work on complaints
    APPROVE_COMPENSATION = "approve_compensation"  # approve any complaint resolution
    SIGN_OFF_COMPLAINT = "sign_off_complaint"  # close a complaint as 未满意结案
    CLOSE_AS_NUISANCE = "close_as_nuisance"
    OVERRIDE_FORBIDDEN = "override_forbidden"
    ADMIN_CONFIG = "admin_config"
    VIEW_CONFIG = "view_config"
    PRINT_REPORT = "print_report"
    INSPECT_HALL = "inspect_hall"  # the duty manager's 巡检 rounds
    GRANT_RECOVERY_BREAK = "grant_recovery_break"  # a 调整情绪 pause for a clerk
    ISSUE_NOTICE = "issue_notice"  # 通报: lessons from complaints for the staff
    BIND_RATING_PAD = "bind_rating_pad"


_CLERK = {Permission.SERVE, Permission.ISSUE_TICKET, Permission.MARK_WALKAWAY,
          Permission.DECLARE_COUNTER_OUTAGE, Permission.HANDLE_COMPLAINT}
_MANAGER = _CLERK | {
    Permission.CANCEL_TICKET, Permission.CLOSE_DAY, Permission.DECLARE_HALL_OUTAGE,
    Permission.RECORD_FACILITY, Permission.ACK_ALERT, Permission.VIEW_PHONE,
    Permission.APPROVE_COMPENSATION, Permission.CLOSE_AS_NUISANCE,
    Permission.OVERRIDE_FORBIDDEN, Permission.VIEW_CONFIG, Permission.PRINT_REPORT,
    Permission.SIGN_OFF_COMPLAINT, Permission.INSPECT_HALL, Permission.GRANT_RECOVERY_BREAK,
    Permission.ISSUE_NOTICE,
    Permission.BIND_RATING_PAD,
}
_ADMIN = _MANAGER | {Permission.ADMIN_CONFIG}

GRANTS: dict[Role, frozenset[Permission]] = {
    Role.CLERK: frozenset(_CLERK),
    Role.DUTY_MANAGER: frozenset(_MANAGER),
    Role.ADMIN: frozenset(_ADMIN),
}

PERMISSION_LABELS = {
    Permission.SERVE: "办理业务",
    Permission.ISSUE_TICKET: "取号",
    Permission.MARK_WALKAWAY: "标记顾客离开",
    Permission.CANCEL_TICKET: "取消号票",
    Permission.CLOSE_DAY: "闭厅结束营业日",
    Permission.DECLARE_HALL_OUTAGE: "发布全厅故障告示",
    Permission.DECLARE_COUNTER_OUTAGE: "发布窗口故障告示",
    Permission.RECORD_FACILITY: "登记设施故障",
    Permission.ACK_ALERT: "确认告警",
    Permission.VIEW_PHONE: "查看完整电话号码",
    Permission.HANDLE_COMPLAINT: "处理投诉",
    Permission.APPROVE_COMPENSATION: "审批投诉处理方案",
    Permission.SIGN_OFF_COMPLAINT: "签批未满意结案",
    Permission.CLOSE_AS_NUISANCE: "按骚扰来电关闭投诉",
    Permission.OVERRIDE_FORBIDDEN: "忌语检查放行",
    Permission.ADMIN_CONFIG: "修改营业厅配置",
    Permission.VIEW_CONFIG: "查看营业厅配置",
    Permission.PRINT_REPORT: "打印营业日报",
    Permission.INSPECT_HALL: "营业厅巡检",
    Permission.GRANT_RECOVERY_BREAK: "安排员工调整情绪",
    Permission.ISSUE_NOTICE: "发布投诉通报",
    Permission.BIND_RATING_PAD: "绑定评价器",
}


@dataclass(frozen=True)
class Actor:
    """Who is acting: the logged-in staff member, as `AuthService.login` returned them.

    `session_token` names the server-side session (`staff_session`); every service call
    re-checks that session in the database, so an Actor made by hand, or one whose
    session ended (staff disabled or demoted, PIN reset, counter taken over, day
    closed), is refused. `role` here is only what the login saw, for showing and hiding
    things; the services use the role stored with the session. The token never
    appears in a repr (logs).
    """

    staff_id: int | None
    role: Role
    name: str = ""
    staff_no: str = ""
    session_token: str | None = field(default=None, repr=False, compare=False)

    def can(self, permission: Permission) -> bool:
        return permission in GRANTS[self.role]

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise PermissionDenied(
                f"{ROLE_LABELS[self.role]}无权{PERMISSION_LABELS[permission]},请联系值班长。"
            )
