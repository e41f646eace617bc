"""阈值 tab: recalls before no-show, refresh interval, pause alert, voice and its station."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QPushButton, QVBoxLayout

from hall_app.services.admin import VOICE_STATIONS, AdminSnapshot, ThresholdSettings
from ui.admin.base import AdminHost, AdminTab, spin
from ui.admin.form import FieldForm


class ThresholdsTab(AdminTab):
    title = "阈值"

    def __init__(self, host: AdminHost) -> None:
        super().__init__(host)
        lay = QVBoxLayout(self)
        self.form = FieldForm()
        self.recalls = self.form.add("recalls_before_no_show", "过号前重呼次数", spin(2, suffix=" 次"))
        self.refresh_ms = self.form.add("refresh_interval_ms", "界面刷新间隔",
                                        spin(1000, 0, 1_000_000, " 毫秒"))
        self.pause = self.form.add("pause_alert_minutes", "暂停超时告警", spin(15, suffix=" 分钟"))
        self.voice = self.form.add("voice_enabled", "语音叫号", QCheckBox("开启"))
        self.station = self.form.add("voice_station", "由哪里播报", QComboBox())
        for value, label in VOICE_STATIONS.items():
            self.station.addItem(label, value)
        lay.addLayout(self.form)
        lay.addWidget(QLabel("这些阈值保存在数据库中,各工作站下次刷新即生效;"
                             "数据库地址等本机设置仍在设置文件里。"))
        self.save_button = QPushButton("保存阈值")
        self.save_button.clicked.connect(self.save)
        lay.addWidget(self.save_button)
        lay.addStretch(1)
        self.edit_buttons = [self.save_button]

    def refresh(self, snap: AdminSnapshot, first: bool) -> None:
        if not first:
            return
        t = snap.thresholds
        self.recalls.setValue(t.recalls_before_no_show)
        self.refresh_ms.setValue(t.refresh_interval_ms)
        self.pause.setValue(t.pause_alert_minutes)
        self.voice.setChecked(t.voice_enabled)
        self.station.setCurrentIndex(self.station.findData(t.voice_station))

    def save(self) -> None:
        edit = ThresholdSettings(self.recalls.value(), self.refresh_ms.value(), self.pause.value(),
                                 self.voice.isChecked(), self.station.currentData())
        self.host.submit(lambda **_: self.admin.update_thresholds(self.actor, edit), self.form,
                           "阈值已保存。")
