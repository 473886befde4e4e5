/* Draws the dashboard charts with the locally served Chart.js.
   Data comes from <script type="application/json" id="sp-dashboard-data">;
   each <canvas data-chart="key" data-kind="bar|line|doughnut"> gets one chart.
   The tables beside the charts carry the same figures for screen readers. */
(function () {
  "use strict";
  var block = document.getElementById("sp-dashboard-data");
  if (!block || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(block.textContent);
  var texts = data.texts || {};
  var palette = ["#1b6b3a", "#d4a017", "#2f7fb8", "#b83b2f", "#7a4fa3", "#4f9d8f", "#8c8c8c", "#c46a1a", "#3b3b8f"];
  var seriesName = {
    cases_by_status: texts.cases, sla_by_step: texts.on_time, sla_by_month: texts.on_time,
    time_by_step: texts.minutes, complaints_by_weight: texts.complaints, ikm: texts.score
  };

  function datasets(key, kind, item) {
    var first = { label: seriesName[key] || key, data: item.values, borderColor: palette[0], fill: false,
                  backgroundColor: kind === "doughnut" ? palette.slice(0, item.values.length) : palette[0] };
    var sets = [first];
    if (item.standard) {
      sets.push({ label: texts.standard, data: item.standard, backgroundColor: palette[1], borderColor: palette[1] });
    }
    return sets;
  }

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var key = canvas.getAttribute("data-chart");
    var kind = canvas.getAttribute("data-kind") || "bar";
    var item = data[key];
    if (!item || !item.values || item.values.length === 0) { return; }
    // `locale` makes Chart.js write ticks and tooltips with Intl.NumberFormat of the
    // page's language (id-ID: 2.500 and 100,0), as the tables beside the charts do.
    var options = { responsive: true, maintainAspectRatio: false, animation: false, locale: data.locale || undefined,
                    plugins: { legend: { display: kind === "doughnut" || !!item.standard } } };
    if (key.indexOf("sla_") === 0) { options.scales = { y: { min: 0, max: 100 } }; }
    if (key === "ikm") { options.scales = { y: { min: 0, max: 100 } }; }
    new window.Chart(canvas, { type: kind, data: { labels: item.labels, datasets: datasets(key, kind, item) },
                               options: options });
  });
}());
