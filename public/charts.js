// Draws every chart of the page: each <script type="application/json" data-chart="ID">
// holds an ECharts option built on the server; the element #ID is its container.
// Without JavaScript the tables beside the charts carry the same numbers.
(function () {
  'use strict';
  function draw() {
    if (!window.echarts) return;
    var blocks = document.querySelectorAll('script[type="application/json"][data-chart]');
    Array.prototype.forEach.call(blocks, function (block) {
      var container = document.getElementById(block.getAttribute('data-chart'));
      if (!container) return;
      try {
        var chart = window.echarts.init(container, null, { renderer: 'svg' });
        chart.setOption(JSON.parse(block.textContent));
        window.addEventListener('resize', function () { chart.resize(); });
      } catch (error) {
        container.textContent = '';
      }
    });
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', draw);
  } else {
    draw();
  }
})();
