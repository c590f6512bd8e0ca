# The sweep of ci/bench as an SVG of two panels against the function count (log scale): time
# (log scale: mount to ready, warm walk of the mount and of its tmpfs rendering) and the
# daemon's VmRSS after mount, each with its target as a dashed line.
# Input, a line per size, tab-separated: functions, ready ns, VmRSS KiB, walk ns of fakesys,
# walk ns of tmpfs; "-" where there is no figure (a timeout, a rendering that did not fit).
# usage: awk -F'\t' -f plot.awk SWEEP.tsv > bench.svg

function lg(value) {
	return log(value) / log(10)
}

function x(functions, panel_left) {
	return panel_left + (lg(functions) - xlo) / (xhi - xlo) * width
}

function time_y(ms) {
	return top + height - (lg(ms) - tlo) / (thi - tlo) * height
}

function memory_y(mib) {
	return top + height - mib / mhi * height
}

function escape(text) {
	gsub(/&/, "\\&amp;", text)
	gsub(/</, "\\&lt;", text)
	return text
}

function figure(i, column) {
	return value[i, column] ~ /^[0-9.]+$/ && value[i, column] > 0
}

function line(x1, y1, x2, y2, style) {
	printf "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" %s/>\n", x1, y1, x2, y2, style
}

function text(tx, ty, label, style) {
	printf "<text x=\"%.1f\" y=\"%.1f\" %s>%s</text>\n", tx, ty, style, escape(label)
}

function frame(panel_left, title, y_label,   i, px) {
	printf "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"", panel_left, top, width, height
	print " fill=\"none\" stroke=\"#444\"/>"
	text(panel_left, top - 12, title, "font-weight=\"bold\"")
	text(panel_left + width / 2, top + height + 36, "functions (log scale)",
		"text-anchor=\"middle\"")
	printf "<text transform=\"translate(%d,%d) rotate(-90)\"", panel_left - 56, top + height / 2
	printf " text-anchor=\"middle\">%s</text>\n", escape(y_label)
	for (i = 1; i <= n; i++) {
		px = x(functions[i], panel_left)
		line(px, top, px, top + height, "stroke=\"#ddd\"")
		text(px, top + height + 16, functions[i], "text-anchor=\"middle\"")
	}
}

function target(panel_left, py, label) {
	line(panel_left, py, panel_left + width, py, "stroke=\"#c33\" stroke-dasharray=\"6,4\"")
	text(panel_left + 4, py - 4, label, "fill=\"#c33\"")
}

# One line of points, and its entry in the legend at LEGEND_Y.
function series(panel_left, column, colour, label, legend_y, kind,   i, points, px, py) {
	points = ""
	for (i = 1; i <= n; i++) {
		if (!figure(i, column))
			continue
		px = x(functions[i], panel_left)
		if (kind == "time")
			py = time_y(value[i, column] / 1e6)
		else
			py = memory_y(value[i, column] / 1024)
		points = points sprintf("%.1f,%.1f ", px, py)
		printf "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", px, py, colour
	}
	if (points != "")
		printf "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>\n",
			points, colour
	line(panel_left + 10, legend_y, panel_left + 30, legend_y,
		"stroke=\"" colour "\" stroke-width=\"2\"")
	text(panel_left + 36, legend_y + 4, label, "")
}

{
	n++
	functions[n] = $1
	for (column = 2; column <= 5; column++)
		value[n, column] = $column
}

END {
	left = 80
	top = 50
	width = 340
	height = 260
	gap = 130
	xlo = lg(functions[1]) - 0.15
	xhi = lg(functions[n]) + 0.15

	# The time axis spans whole decades, 1 s (the mount target) at least; memory 64 MiB.
	tmin = 1e300
	tmax = 1000
	mmax = 64
	for (i = 1; i <= n; i++) {
		for (column = 2; column <= 5; column++) {
			if (column == 3 || !figure(i, column))
				continue
			ms = value[i, column] / 1e6
			if (ms < tmin)
				tmin = ms
			if (ms > tmax)
				tmax = ms
		}
		if (figure(i, 3) && value[i, 3] / 1024 > mmax)
			mmax = value[i, 3] / 1024
	}
	if (tmin > tmax)
		tmin = 1
	tlo = int(lg(tmin))
	if (lg(tmin) < tlo)
		tlo--
	thi = int(lg(tmax))
	if (lg(tmax) > thi)
		thi++
	step = mmax > 400 ? 100 : mmax > 160 ? 50 : mmax > 80 ? 20 : 10
	mhi = (int(mmax * 1.1 / step) + 1) * step

	printf "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\"",
		left + 2 * width + gap + 20, top + height + 110
	print " font-family=\"sans-serif\" font-size=\"12\">"
	print "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>"
	legend_y = top + height + 56

	frame(left, "Time against size", "time (log scale)")
	for (decade = tlo; decade <= thi; decade++) {
		py = time_y(10 ^ decade)
		line(left, py, left + width, py, "stroke=\"#ddd\"")
		if (decade >= 3)
			label = 10 ^ (decade - 3) " s"
		else if (decade >= 0)
			label = 10 ^ decade " ms"
		else
			label = 10 ^ (decade + 3) " us"
		text(left - 6, py + 4, label, "text-anchor=\"end\"")
	}
	target(left, time_y(1000), "mount target 1 s")
	series(left, 2, "#c33", "mount to ready", legend_y, "time")
	series(left, 4, "#36c", "warm walk, fakesys", legend_y + 18, "time")
	series(left, 5, "#393", "warm walk, tmpfs", legend_y + 36, "time")

	right = left + width + gap
	frame(right, "Daemon memory against size", "VmRSS after mount (MiB)")
	for (mib = 0; mib <= mhi; mib += step) {
		py = memory_y(mib)
		line(right, py, right + width, py, "stroke=\"#ddd\"")
		text(right - 6, py + 4, mib, "text-anchor=\"end\"")
	}
	target(right, memory_y(64), "target 64 MiB")
	series(right, 3, "#93c", "daemon VmRSS after mount", legend_y, "memory")
	print "</svg>"
}
