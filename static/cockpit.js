// Draws the cockpit's charts from the data each chart element carries. Every chart
// repeats a table on the page, which is what screen readers read.
(function () {
  'use strict';
  if (typeof echarts === 'undefined') { return; }
  document.querySelectorAll('[data-chart]').forEach(function (el) {
    var d = JSON.parse(el.getAttribute('data-chart'));
    var chart = echarts.init(el);
    chart.setOption({
      animation: false,
      tooltip: { trigger: 'axis' },
      legend: {},
      grid: { left: 48, right: 16, bottom: 32, top: 40 },
      xAxis: { type: 'category', data: d.labels },
      yAxis: { type: 'value', minInterval: 1 },
      series: d.series.map(function (s) { return { name: s.name, type: d.kind, data: s.data }; })
    });
    window.addEventListener('resize', function () { chart.resize(); });
  });
})();
