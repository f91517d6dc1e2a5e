/* Charts and print buttons of the assessment pages. No inline scripts: each
   chart is a <div class="lanmu-chart" data-chart="{ECharts option as JSON}">. */
(function () {
  document.querySelectorAll('.lanmu-chart').forEach(function (el) {
    if (typeof echarts === 'undefined') { return; }
    var chart = echarts.init(el);
    chart.setOption(JSON.parse(el.getAttribute('data-chart')));
    window.addEventListener('resize', function () { chart.resize(); });
  });
  document.querySelectorAll('[data-print]').forEach(function (el) {
    el.addEventListener('click', function () { window.print(); });
  });
})();
