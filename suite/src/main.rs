fn main() {
    println!("nova-conform: not built yet");
}
