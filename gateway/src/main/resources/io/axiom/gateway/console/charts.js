/*
 * Live charts of the engine (uPlot 1.6.30, served from its webjar), drawn from the metrics poll's history (the last
 * 300 readings, one a second): throughput (commands, events and fsyncs per second, as rates of the counters),
 * latencies (fsync mean over each second from its counters; fsync and command percentiles as the server reports
 * them), group-commit batch size, and ring occupancy.
 */
import uPlot from '/console/uplot/1.6.30/uPlot.esm.js';
import {el, replace} from './ui.js';

const HEIGHT = 200;

/** @returns {number|null} the number at a dotted path of a reading, or null. */
function num(reading, path) {
    let value = reading;
    for (const key of path.split('.')) {
        if (value === null || value === undefined) {
            return null;
        }
        value = value[key];
    }
    return typeof value === 'number' && isFinite(value) ? value : null;
}

function rate(prev, cur, path) {
    const a = num(prev, path);
    const b = num(cur, path);
    const dt = cur.__time - prev.__time;
    return a === null || b === null || dt <= 0 || b < a ? null : (b - a) / dt;
}

function ratio(prev, cur, numerator, denominator) {
    const dn = num(cur, numerator) - num(prev, numerator);
    const dd = num(cur, denominator) - num(prev, denominator);
    return isFinite(dn) && isFinite(dd) && dd > 0 ? dn / dd : null;
}

const ms = (value) => value === null ? null : value * 1000;

/** What each chart shows: a title, a unit, and per series a label, a colour and how a pair of readings gives it. */
const CHARTS = [
    {id: 'throughput', title: 'Throughput', unit: '/s', series: [
        ['commands/s', '#2563eb', (p, c) => rate(p, c, 'batches.commands')],
        ['events/s', '#16a34a', (p, c) => rate(p, c, 'events.appended')],
        ['fsyncs/s', '#d97706', (p, c) => rate(p, c, 'fsync.count')]]},
    {id: 'latency', title: 'Latency', unit: 'ms', series: [
        ['fsync mean (last s)', '#d97706', (p, c) => ms(ratio(p, c, 'fsync.seconds_total', 'fsync.count'))],
        ['fsync p99', '#b45309', (p, c) => ms(num(c, 'fsync.latency_seconds.p99'))],
        ['command p50', '#60a5fa', (p, c) => ms(num(c, 'commands.latency_seconds.p50'))],
        ['command p99', '#1d4ed8', (p, c) => ms(num(c, 'commands.latency_seconds.p99'))]]},
    {id: 'batch', title: 'Group-commit batch size', unit: 'commands', series: [
        ['mean (last s)', '#7c3aed', (p, c) => ratio(p, c, 'batches.commands', 'batches.count')],
        ['p99', '#a78bfa', (p, c) => num(c, 'batches.size.p99')],
        ['max', '#c4b5fd', (p, c) => num(c, 'batches.max_size')]]},
    {id: 'ring', title: 'Ring occupancy', unit: 'slots', series: [
        ['occupied slots', '#dc2626', (p, c) => num(c, 'ring.occupancy')]]}
];

function seriesData(history, chart) {
    const xs = [];
    const columns = chart.series.map(() => []);
    for (let i = 1; i < history.length; i++) {
        const prev = history[i - 1];
        const cur = history[i];
        xs.push(cur.__time);
        chart.series.forEach(([, , value], s) => columns[s].push(value(prev, cur)));
    }
    return [xs, ...columns];
}

export function mount(container, params, {metrics}) {
    const grid = el('div.charts');
    const ringSize = el('span.muted');
    replace(container, el('h1', {}, 'Engine, live ', el('span.muted', {text: '(one reading a second, last 5 minutes)'})),
        grid, el('p.muted', {}, 'Ring size: ', ringSize, '. Percentiles are the server\'s, over its whole life; ' +
            'rates and means are computed here from the counters of consecutive readings.'));
    const plots = [];
    for (const chart of CHARTS) {
        const box = el('div.chart', {dataset: {chart: chart.id}});
        grid.append(el('section.card', {}, el('h2', {text: chart.title + ' (' + chart.unit + ')'}), box));
        const plot = new uPlot({
            width: Math.max(280, box.clientWidth || 480),
            height: HEIGHT,
            series: [{}, ...chart.series.map(([label, stroke]) => ({label, stroke, width: 1.5, spanGaps: true,
                value: (u, v) => v === null || v === undefined ? '—' : (Math.round(v * 100) / 100).toString()}))],
            axes: [{}, {size: 60}],
            scales: {x: {time: true}},
            legend: {live: true}
        }, seriesData(metrics.history, chart), box);
        plots.push({chart, plot, box});
    }

    const update = (reading) => {
        ringSize.textContent = String(num(reading, 'ring.size') ?? '?');
        for (const {chart, plot} of plots) {
            plot.setData(seriesData(metrics.history, chart));
        }
    };
    const stopListening = metrics.listen(update);

    const resize = () => {
        for (const {plot, box} of plots) {
            plot.setSize({width: Math.max(280, box.clientWidth), height: HEIGHT});
        }
    };
    window.addEventListener('resize', resize);
    requestAnimationFrame(resize);
    window.axiomCharts = plots.map(({chart, plot}) => ({id: chart.id, plot}));

    return () => {
        stopListening();
        window.removeEventListener('resize', resize);
        plots.forEach(({plot}) => plot.destroy());
        window.axiomCharts = [];
    };
}
