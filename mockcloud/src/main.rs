fn main() {
    println!("mockcloud: not built yet");
}
