//! Sends exactly COUNT requests, one after another, on one keep-alive
//! connection, and prints how many were answered with a 2xx status: the
//! fixed request count that `benches/callgrind.sh` measures the database
//! endpoints with (wrk only knows durations).
//!
//! usage: fixed-load ADDR COUNT METHOD PATH [BODY-FILE]
//!
//! `BENCH_HEADER` (`name: value`), when set, is sent with every request.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, addr, count, method, path, rest @ ..] = args.as_slice() else {
        eprintln!("usage: fixed-load ADDR COUNT METHOD PATH [BODY-FILE]");
        std::process::exit(2);
    };
    let count: usize = count.parse().map_err(std::io::Error::other)?;
    let body = match rest.first() {
        Some(file) if file != "-" => std::fs::read(file)?,
        _ => Vec::new(),
    };
    let mut request = format!("{method} {path} HTTP/1.1\r\nhost: {addr}\r\n");
    if !body.is_empty() {
        request.push_str("content-type: application/json\r\n");
    }
    if let Ok(header) = std::env::var("BENCH_HEADER")
        && !header.is_empty()
    {
        request.push_str(&format!("{header}\r\n"));
    }
    request.push_str(&format!("content-length: {}\r\n\r\n", body.len()));
    let mut request = request.into_bytes();
    request.extend_from_slice(&body);

    let stream = TcpStream::connect(addr.as_str())?;
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let mut ok = 0;
    let mut line = String::new();
    for _ in 0..count {
        writer.write_all(&request)?;
        line.clear();
        reader.read_line(&mut line)?;
        if line.split(' ').nth(1).is_some_and(|s| s.starts_with('2')) {
            ok += 1;
        }
        let mut length = 0;
        loop {
            line.clear();
            reader.read_line(&mut line)?;
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().map_err(std::io::Error::other)?;
            }
        }
        std::io::copy(&mut (&mut reader).take(length), &mut std::io::sink())?;
    }
    println!("{ok}");
    Ok(())
}
