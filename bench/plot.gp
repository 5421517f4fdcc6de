# plot.gp - bar chart of bench/results/latest.md's latency table.
# Called by bench.py: gnuplot -e "datafile='...'; outfile='...'; ncols=N" bench/plot.gp
# datafile: a header line of quoted column titles, then one line per model:
# name followed by N latencies in milliseconds (NaN when not measured).
set terminal pngcairo size 1100,560 font "sans,11" noenhanced
set output outfile
set title "Single-thread inference latency, batch 1 (lower is better)"
set ylabel "milliseconds (log scale)"
set logscale y
set format y "%g"
set grid ytics mytics
set style data histogram
set style histogram clustered gap 1.5
set style fill solid 0.85 border -1
set boxwidth 0.95
set key top left
set xtics nomirror
set yrange [0.005:*]
plot for [i=2:ncols+1] datafile using i:xtic(1) title columnheader(i)
