// A small line chart of the newest samples, drawn as SVG (no chart library: one polyline).

const SVG = 'http://www.w3.org/2000/svg';

export class Sparkline {
  private readonly values: number[] = [];
  private readonly line: SVGPolylineElement;
  private readonly label: SVGTextElement;

  constructor(
    private readonly svg: SVGSVGElement,
    private readonly keep = 60,
  ) {
    this.line = document.createElementNS(SVG, 'polyline');
    this.label = document.createElementNS(SVG, 'text');
    this.label.setAttribute('x', '4');
    this.label.setAttribute('y', '12');
    svg.append(this.line, this.label);
  }

  push(v: number): void {
    this.values.push(v);
    if (this.values.length > this.keep) this.values.shift();
    const { width, height } = this.svg.viewBox.baseVal;
    const max = Math.max(1, ...this.values);
    const step = width / Math.max(1, this.keep - 1);
    const points = this.values.map((x, i) => `${(i * step).toFixed(1)},${(height - 2 - (x / max) * (height - 16)).toFixed(1)}`);
    this.line.setAttribute('points', points.join(' '));
    this.label.textContent = `max ${max.toFixed(0)}/s`;
    this.svg.dataset.points = String(this.values.length);
  }
}
